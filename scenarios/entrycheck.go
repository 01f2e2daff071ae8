package scenarios

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/workload/decl"
	corev1 "k8s.io/api/core/v1"
)

// svcOrigin is how a scenario step makes a Service: its type and where.
type svcOrigin struct {
	typ, where string
}

// scenarioServices are the Services the scenario's steps make, by
// NAMESPACE/NAME, each with every type it is made with; unknown holds the
// Services a step may change otherwise (patch, edit, apply of a file an
// earlier step writes), whose type cannot be read from the scenario.
func (s *Scenario) scenarioServices() (made map[string][]svcOrigin, unknown map[string]bool) {
	made, unknown = map[string][]svcOrigin{}, map[string]bool{}
	written := map[string]bool{}
	for _, st := range s.Steps {
		where := fmt.Sprintf("%s:%d", s.Source(), st.Line)
		line, redirect, err := kubectl.SplitRedirect(st.Command)
		if err != nil {
			continue
		}
		cmd, err := kubectl.Parse(line)
		if err != nil {
			continue
		}
		if redirect != nil {
			written[redirect.File] = true
		}
		ns := orDefaultNS(cmd.Namespace)
		switch cmd.Verb {
		case kubectl.Expose:
			if len(cmd.Targets) == 0 {
				continue
			}
			name := cmd.Name
			if name == "" {
				name = cmd.Targets[0].Name
			}
			typ := cmd.Type
			if typ == "" {
				typ = "ClusterIP"
			}
			made[ns+"/"+name] = append(made[ns+"/"+name], svcOrigin{typ, where + ": " + strings.TrimSpace(st.Command)})
		case kubectl.Patch, kubectl.Edit:
			for _, t := range cmd.Targets {
				if t.Resource == kubectl.Services {
					unknown[ns+"/"+t.Name] = true
				}
			}
		case kubectl.Apply, kubectl.Create:
			for _, f := range cmd.Files {
				if written[f] {
					// Read at run time: any Service it holds may be of any type.
					unknown["*"] = true
					continue
				}
				files, err := s.files().ExpandPath(f, cmd.Recursive)
				if err != nil {
					continue
				}
				for _, path := range files {
					data, _, err := s.files().ReadFile(path)
					if err != nil {
						continue
					}
					objs, _, _ := manifest.Decode(path, data, manifest.Options{Validate: false})
					for _, o := range objs {
						svc, ok := o.Obj.(*corev1.Service)
						if !ok {
							continue
						}
						ons := ns
						if o.Namespace != "" {
							ons = o.Namespace
						}
						typ := string(svc.Spec.Type)
						if typ == "" {
							typ = "ClusterIP"
						}
						key := ons + "/" + o.Name
						made[key] = append(made[key], svcOrigin{typ, fmt.Sprintf("%s:%d", path, o.Line)})
					}
				}
			}
		}
	}
	return made, unknown
}

func orDefaultNS(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// serviceKey is the NAMESPACE/NAME a call's name resolves to from outside
// the cluster's namespaces (NAME is in default), as cluster DNS reads it; ""
// for a name that is no Service's.
func serviceKey(name string) string {
	name = strings.TrimSuffix(name, ".")
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return "default/" + name
	}
	svc, ns := name[:i], name[i+1:]
	if j := strings.IndexByte(ns, '.'); j >= 0 {
		if rest := ns[j:]; rest != ".svc" && rest != ".svc.cluster.local" {
			return ""
		}
		ns = ns[:j]
	}
	return ns + "/" + svc
}

// OutsideClientProblems finds the clients outside the cluster that call a
// Service the scenario makes only as a ClusterIP Service, which no client
// outside the cluster can reach: each call, with the workload file and line
// and the fix. A Service the scenario does not make, or may change in a way
// it does not show (patch, edit, a file written at run time), is not
// checked: such a call is refused at run time if the Service is ClusterIP
// then.
func (s *Scenario) OutsideClientProblems() []string {
	var outside []*decl.Client
	for i := range s.Workload.Clients {
		cl := &s.Workload.Clients[i]
		if !cl.InPods() && !cl.InCluster {
			outside = append(outside, cl)
		}
	}
	if len(outside) == 0 {
		return nil
	}
	out := s.entryNodeProblems(outside)
	made, unknown := s.scenarioServices()
	if unknown["*"] {
		return out
	}
	seen := map[string]bool{}
	for _, cl := range outside {
		var walk func(steps []decl.Step)
		walk = func(steps []decl.Step) {
			for i := range steps {
				st := &steps[i]
				if st.Kind == decl.CallStep {
					out = append(out, s.outsideCall(cl, st, made, unknown, seen)...)
				}
				walk(st.Steps)
				for j := range st.Branches {
					walk(st.Branches[j].Steps)
				}
			}
		}
		walk(cl.Script)
		walk(cl.OnStart)
	}
	return out
}

// entryNodeProblems finds the clients pointed at a node (node:) that is no
// node of the cluster and that no step adds (with node groups, whose nodes'
// names are drawn at run time, none is judged).
func (s *Scenario) entryNodeProblems(outside []*decl.Client) []string {
	if len(s.NodeGroups) > 0 {
		return nil
	}
	known := map[string]bool{}
	var names []string
	for _, n := range s.Nodes {
		known[n.Name] = true
		names = append(names, n.Name)
	}
	for _, st := range s.Steps {
		line, _, err := kubectl.SplitRedirect(st.Command)
		if err != nil {
			continue
		}
		if cmd, err := kubectl.Parse(line); err == nil && cmd.Verb == kubectl.NodeAdd {
			for _, t := range cmd.Targets {
				known[t.Name] = true
				names = append(names, t.Name)
			}
		}
	}
	var out []string
	for _, cl := range outside {
		if cl.Node == "" || known[cl.Node] {
			continue
		}
		file := cl.File
		if file == "" {
			file = s.Source()
		}
		list := strings.Join(names, ", ")
		if len(names) > 8 {
			list = strings.Join(names[:8], ", ") + ", ..."
		}
		out = append(out, fmt.Sprintf("%s:%d: client %s: node: %s is no node of the cluster (%s) and no step adds it; point the client at one of them", file, cl.Line, cl.Name, cl.Node, list))
	}
	return out
}

func (s *Scenario) outsideCall(cl *decl.Client, st *decl.Step, made map[string][]svcOrigin, unknown map[string]bool, seen map[string]bool) []string {
	key := serviceKey(st.Call.Service)
	origins := made[key]
	if key == "" || len(origins) == 0 || unknown[key] {
		return nil
	}
	var wheres []string
	for _, o := range origins {
		if o.typ == "NodePort" || o.typ == "LoadBalancer" {
			return nil
		}
		wheres = append(wheres, o.where)
	}
	file := cl.File
	if file == "" {
		file = s.Source()
	}
	msg := fmt.Sprintf("%s:%d: client %s (outside the cluster) calls %s, a %s Service (%s): no client outside the cluster can reach a ClusterIP Service; make the Service type NodePort or LoadBalancer (kubectl expose ... --type=LoadBalancer, or type: LoadBalancer in its manifest), or run the client in a pod (give the client image: or labels:)",
		file, st.Line, cl.Name, st.Call.Service, origins[0].typ, strings.Join(wheres, "; "))
	if seen[msg] {
		return nil
	}
	seen[msg] = true
	return []string{msg}
}
