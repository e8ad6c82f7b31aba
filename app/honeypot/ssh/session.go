package ssh

import (
	"fmt"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/honeypot/shell"
)

// session serves one "session" channel: pty-req, env, window-change, then one shell or exec.
func (c *conn) session(nc gossh.NewChannel) {
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	var prog sync.WaitGroup
	defer prog.Wait()
	defer ch.Close()
	done := make(chan struct{})
	pty := false
	started := false
	for {
		select {
		case <-done:
			// the program ended; keep answering requests until the channel is gone so the
			// connection's reader never blocks on them
			go gossh.DiscardRequests(reqs)
			return
		case req, ok := <-reqs:
			if !ok {
				return
			}
			reply := false
			switch req.Type {
			case "pty-req":
				var m struct {
					Term          string
					Cols, Rows    uint32
					Width, Height uint32
					Modes         string
				}
				if gossh.Unmarshal(req.Payload, &m) == nil {
					c.tr.Note(fmt.Sprintf("pty-req %s %dx%d", m.Term, m.Cols, m.Rows))
					pty, reply = true, true
				}
			case "env":
				var m struct{ Name, Value string }
				if gossh.Unmarshal(req.Payload, &m) == nil {
					c.tr.Note(fmt.Sprintf("env %s=%s", m.Name, m.Value))
					// sshd's AcceptEnv LANG LC_*
					reply = m.Name == "LANG" || strings.HasPrefix(m.Name, "LC_")
				}
			case "window-change":
				reply = true
			case "shell", "exec":
				if started {
					break
				}
				cmd := ""
				if req.Type == "exec" {
					var m struct{ Command string }
					if gossh.Unmarshal(req.Payload, &m) != nil {
						break
					}
					cmd = m.Command
				}
				started, reply = true, true
				// The success reply goes out before the program starts: an exec that ends at
				// once closes the channel, and a reply after that is lost (the client sees EOF).
				if req.WantReply {
					req.Reply(true, nil)
					req.WantReply = false
				}
				prog.Add(1)
				go func() {
					defer prog.Done()
					defer close(done)
					if req.Type == "exec" {
						c.exec(ch, cmd, pty)
					} else {
						c.shell(ch, pty)
					}
				}()
			case "subsystem":
				var m struct{ Name string }
				if gossh.Unmarshal(req.Payload, &m) != nil {
					m.Name = "(malformed)"
				}
				c.tr.Note(fmt.Sprintf("subsystem %s: refused", m.Name))
			case "x11-req", "auth-agent-req@openssh.com":
				c.tr.Note(req.Type + ": refused")
			}
			if req.WantReply {
				req.Reply(reply, nil)
			}
		}
	}
}

func (c *conn) newShell(exec, pty bool) *shell.Session {
	return shell.NewSession(shell.Options{User: c.user, Hostname: c.s.cfg.Hostname, Client: c.src, Local: c.dst,
		Exec: exec, Terminal: pty, Context: c.ctx, Now: c.s.now})
}

// flushAt is how much output the shell collects before it writes.
const flushAt = 32 << 10

func crlf(s string, pty bool) string {
	if pty {
		return strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

func exitStatus(ch gossh.Channel, status int) {
	ch.CloseWrite()
	ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{uint32(status)}))
	ch.Close()
}

// exec answers "ssh host CMD".
func (c *conn) exec(ch gossh.Channel, cmd string, pty bool) {
	sh := c.newShell(true, false) // bash -c: no line editor, no bracketed paste
	r := sh.Run(cmd)
	c.tr.Command("exec", cmd, r)
	ch.Write([]byte(crlf(r.Output, pty)))
	exitStatus(ch, r.Status)
}

// shell runs the interactive fake shell until exit, Ctrl-D or the end of input.
func (c *conn) shell(ch gossh.Channel, pty bool) {
	sh := c.newShell(false, pty)
	ed := shell.Editor{Echo: pty}
	var out []byte
	if pty {
		out = append(out, crlf(sh.Banner()+sh.Prompt(), true)...)
		ch.Write(out)
	}
	status := 0
	run := func(line string) bool {
		r := sh.Run(line)
		if strings.TrimSpace(line) != "" {
			c.tr.Command("command", line, r)
		}
		status = r.Status
		out = append(out, crlf(r.Output, pty)...)
		if r.Exit {
			if pty {
				out = append(out, "logout\r\n"...)
			}
			return true
		}
		if pty {
			out = append(out, sh.Prompt()...)
		}
		return false
	}
	buf := make([]byte, readBufferSize)
	for {
		n, err := ch.Read(buf)
		out = out[:0]
		for i := 0; i < n; i++ {
			var ev shell.Event
			out, ev = ed.Feed(buf[i], out)
			switch ev.Kind {
			case shell.Line:
				if run(ev.Line) {
					ch.Write(out)
					exitStatus(ch, status)
					return
				}
				if len(out) > flushAt {
					if _, werr := ch.Write(out); werr != nil {
						return
					}
					out = out[:0]
				}
			case shell.Interrupt:
				if pty {
					out = append(out, sh.Prompt()...)
				}
			case shell.EOF:
				if pty {
					out = append(out, "logout\r\n"...)
				}
				ch.Write(out)
				exitStatus(ch, 0)
				return
			}
		}
		if len(out) > 0 {
			if _, werr := ch.Write(out); werr != nil {
				return
			}
		}
		if err != nil {
			// end of input: a script piped without a pty may end without a newline
			if p := ed.Pending(); p != "" && !pty {
				out = out[:0]
				run(p)
				ch.Write(out)
			}
			exitStatus(ch, status)
			return
		}
	}
}
