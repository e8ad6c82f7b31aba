//go:build race

package ssh

// raceEnabled: the race detector multiplies memory use, so RSS is only logged.
const raceEnabled = true
