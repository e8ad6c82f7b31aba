package sensor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkBufferAppend measures what a honeypot waits for when it reports an event: one
// durable Append of a wire-sized event, alone and with reports arriving from many goroutines
// at once (which share commits). The peak RSS of the process is reported beside it.
func BenchmarkBufferAppend(b *testing.B) {
	line := ev(0, 400)
	b.Run("serial", func(b *testing.B) {
		buf := openBenchBuffer(b)
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, err := buf.Append(line); err != nil {
				b.Fatal(err)
			}
		}
		reportPeakRSS(b)
	})
	b.Run("parallel", func(b *testing.B) {
		buf := openBenchBuffer(b)
		b.SetBytes(int64(len(line)))
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := buf.Append(line); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportPeakRSS(b)
	})
}

func openBenchBuffer(b *testing.B) *Buffer {
	buf, err := OpenBuffer(filepath.Join(b.TempDir(), bufferFile), 1<<30, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { buf.Close() })
	return buf
}

// reportPeakRSS reports the process's peak resident set (VmHWM) in MB.
func reportPeakRSS(b *testing.B) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return // not Linux
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
				b.ReportMetric(kb/1024, "peak-RSS-MB")
			}
		}
	}
}
