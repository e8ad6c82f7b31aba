// Package fidelity holds the side-by-side suite: the built-in honeypots and the Debian 12
// daemons they imitate (OpenSSH 9.2p1, vsftpd 3.0.3, lighttpd 1.4.69, inetutils telnetd,
// GNU bash) run on loopback ports next to each other, and the suite compares what an
// attacker's tools print for each (ssh-audit, ssh -v, nmap -sV -sC, raw protocol dialogues,
// a recon shell script). Where the honeypot must differ, the test names the difference and
// its reason. The package has no code of its own; the tests run only with HONEYSENS_E2E=1,
// which .ci/run sets after installing the daemons.
package fidelity
