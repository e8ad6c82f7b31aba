package sensor

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// killChildEnv names the buffer directory of the child process of TestBufferSurvivesKill.
const killChildEnv = "HONEYSENS_BUFFER_KILL_CHILD"

// TestBufferSurvivesKill runs this test binary again as a child that appends events and
// acknowledges some, printing each step once its call returned, and kills it with SIGKILL in
// the middle of that. Reopened, the buffer holds every event the child was told is stored, in
// order, and none it acknowledged.
func TestBufferSurvivesKill(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		appendUntilKilled(t, dir)
		return
	}
	dir := t.TempDir()
	// -test.short: the child needs no honeysens binary (see TestMain).
	cmd := exec.Command(os.Args[0], "-test.run=^TestBufferSurvivesKill$", "-test.short", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stored, acked := -1, 0
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) > 0 && f[0] == "failed" {
			cmd.Process.Kill()
			t.Fatalf("child: %s", lines.Text())
		}
		if len(f) != 2 {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "stored":
			stored = n
		case "acked":
			acked = n
		}
		if stored == 500 {
			cmd.Process.Kill() // what the child printed before it died is still read
		}
	}
	cmd.Wait()
	if stored < 500 {
		t.Fatalf("the child stopped after storing %d events", stored)
	}

	b := openBuf(t, dir, 0)
	defer b.Close()
	got := drain(t, b, 100)
	if len(got) == 0 {
		t.Fatalf("nothing buffered after the kill; %d stored, %d acknowledged", stored+1, acked)
	}
	first := -1
	fmt.Sscanf(got[0], `{"n":%d`, &first)
	// An acknowledgement may have been committed without being printed.
	if first != acked && first != acked+killAck {
		t.Fatalf("first event after the kill is %d, %d were acknowledged", first, acked)
	}
	for i, g := range got {
		if g != string(ev(first+i, 100)) {
			t.Fatalf("event %d after the kill: %.30s", first+i, g)
		}
	}
	if last := first + len(got) - 1; last < stored {
		t.Fatalf("events up to %d survived, %d were stored", last, stored)
	}
}

// killAck is how many events the child acknowledges after every tenth.
const killAck = 5

// appendUntilKilled is the child: it appends until it is killed.
func appendUntilKilled(t *testing.T, dir string) {
	b, err := OpenBuffer(filepath.Join(dir, bufferFile), 0, nil)
	if err != nil {
		fmt.Println("failed", err)
		t.Fatal(err)
	}
	for i, acked := 0, 0; ; i++ {
		if _, err := b.Append(ev(i, 100)); err != nil {
			fmt.Println("failed", err)
			t.Fatal(err)
		}
		fmt.Println("stored", i)
		if i%10 == 9 {
			if err := b.Ack(killAck); err != nil {
				fmt.Println("failed", err)
				t.Fatal(err)
			}
			acked += killAck
			fmt.Println("acked", acked)
		}
	}
}
