// Package endpoints owns the endpoint index: for every Service, the pods its
// selector matches, with their EndpointSlice conditions, maintained incrementally
// as pods and Services change, and the notifications that carry each change to
// subscribers (kube-proxy in the model).
package endpoints
