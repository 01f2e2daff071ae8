package bench

import "time"

var wallStart = time.Now()

func wallSeconds() float64 { return time.Since(wallStart).Seconds() }
