// Package manifest owns reading Kubernetes manifests for kubesim: multi-document
// YAML (and `kind: List`) decoded into k8s.io/api types, with the checks a real
// API server and kubectl would apply, worded so a user can fix the file.
//
// # Decoding
//
// Decode(filename, data, Options{Validate: true}) returns one Object per
// document (List items are flattened), each carrying the typed object
// (*appsv1.Deployment, *appsv1.ReplicaSet, *appsv1.DaemonSet, *corev1.Service,
// *corev1.Pod, *corev1.Node or *corev1.Namespace), its kind, name, namespace
// (empty when the manifest leaves it to the command), the 0-based index of the
// document in the file and the line where the document starts.
//
// YAML is read the way kubectl reads it, as YAML 1.1: an unquoted yes/no/on/off/
// y/n/true/false is a boolean and an unquoted 1.0 or 42 is a number. Where the
// API expects a string (a label or selector value, an annotation, an image...)
// such a value is an error naming the file, line and field and telling the user
// to quote it, where Kubernetes would only say "cannot unmarshal bool into Go
// struct field". Booleans and numbers used as map keys are refused the same way.
//
// Decoding is strict like the API server's (field validation "Strict"): a field
// the kind does not have is an error naming its path, e.g. spec.replicas in a
// DaemonSet. With Options.Validate false the unknown fields are dropped,
// silently as `kubectl apply --validate=false` (field validation "Ignore"),
// or with Options.Warn reported as the API server's warnings, as
// `--validate=warn`.
//
// Problems are collected, not stopped at: the returned *Error lists every problem
// of the file with file, line and field (Problem.String), and Error.Kubectl gives
// the lines kubectl would print for the same file. Documents that decoded cleanly
// are still returned next to the error, because kubectl applies the valid
// documents of a file and reports the others.
//
// # Kinds
//
// Kinds are recognised by apiVersion and kind. Those kubesim models are
// decoded; Kubernetes 1.37's other kinds (kinds_table.go, generated from
// k8s.io/api by TestBuiltinKindTable) are skipped with a warning; removed,
// alpha and default-off beta versions are refused (UnknownKind) naming the
// version to use. A CustomResourceDefinition is returned as Object.CRD;
// custom resources of the CRDs in Options.CRDs are skipped with a warning,
// other unknown kinds refused.
//
// # Defaults
//
// After decoding, Decode applies the API-server defaults the model depends on
// (see SetDefaults): Deployment replicas 1, strategy RollingUpdate with maxSurge
// and maxUnavailable 25%, revisionHistoryLimit 10, progressDeadlineSeconds 600;
// ReplicaSet replicas 1; DaemonSet updateStrategy RollingUpdate with
// maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10; Service type
// ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port; pod
// restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst,
// schedulerName default-scheduler, container port protocol TCP, requests copied
// from limits when unset, imagePullPolicy (Always for :latest or untagged images,
// IfNotPresent otherwise); probes periodSeconds 10, timeoutSeconds 1,
// successThreshold 1, failureThreshold 3, httpGet path "/" and scheme HTTP;
// toleration operator Equal.
//
// # Validation
//
// Decode then checks what the API server would refuse and the model relies on:
// names (DNS-1123 subdomain, DNS-1035 label for Services), label keys and values
// in metadata, selectors, templates, Service selectors and nodeSelectors, a
// selector that matches the template's labels, containers with a name and an
// image, port ranges, replica counts, taint effects and toleration operators,
// strategy types, requests not above limits.
//
// # Patches and edits
//
// ApplyPatch(obj, patch, type, source) applies a `kubectl patch` (strategic,
// merge or JSON patch, given as JSON or YAML) or a kubesim edit step's patch to
// a decoded object and decodes the result with the same strict, YAML 1.1-aware
// checks, so that `kubectl edit service rng` adding an unquoted enabled: yes
// fails with the line and field of the patch. Defaults and validation are
// applied to the result; the input object is not modified.
//
// # Printing
//
// NewPrinter(output) and Printer.Print print objects as `kubectl get -o yaml|
// json|jsonpath=...|jsonpath-as-json=...|custom-columns=...` does (encode.go):
// through JSON into maps, so keys are sorted, managedFields left out; one
// named object alone, any other get as a v1 List. SetPrintDefaults adds the
// API-server defaults that every returned object carries but that change
// nothing in a simulation (securityContext {}, terminationMessagePath...).
//
// # Conversions
//
// convert.go converts between API objects and the model: ModelPodSpec,
// ModelDeploymentSpec... turn decoded objects into the model's specs;
// APIDeployment, APIPod... turn model objects back into API objects (for
// patch, edit and -o yaml), with APIMeta's metadata as the API server returns it.
//
// # Not simulated
//
// NotSimulated(obj) lists the fields set in a manifest that kubesim accepts but
// does not model (volumes, env, command, securityContext, hostNetwork, ...), as
// field paths with [*] for list items, so the runner can print them once.
package manifest
