package main

import (
	"bufio"
	"io"
	"strings"
)

// envPIN names the variable the PIN may come from.
const envPIN = "VANTHU_PIN"

// maxPINLine bounds the PIN line read from standard input.
const maxPINLine = 256

// pinSource is the PIN for one run, if one was given. It never comes
// from the command line.
type pinSource struct {
	value string
	ok    bool
}

// readPIN takes the PIN from the first line of standard input when
// fromStdin is set, else from $VANTHU_PIN. No PIN is not an error here:
// a PIN-pad token needs none.
func (c *cli) readPIN(fromStdin bool) (pinSource, error) {
	if fromStdin {
		line, err := bufio.NewReaderSize(io.LimitReader(c.stdin, maxPINLine), maxPINLine).ReadString('\n')
		if err != nil && err != io.EOF {
			return pinSource{}, c.usageErr("usage.pin-stdin-read", err.Error())
		}
		pin := strings.TrimRight(line, "\r\n")
		if pin == "" {
			return pinSource{}, c.usageErr("usage.pin-stdin-empty")
		}
		return pinSource{value: pin, ok: true}, nil
	}
	if pin := c.getenv(envPIN); pin != "" {
		return pinSource{value: pin, ok: true}, nil
	}
	return pinSource{}, nil
}
