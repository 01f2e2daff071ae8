package main

import "github.com/kubesim/kubesim/metrics"

type modelSummary = metrics.Summary
