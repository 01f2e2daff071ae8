package main

import "github.com/kubesim/kubesim/model"

type modelSummary = model.Summary
