package model

import "maps"

// A Service's Endpoints object and EndpointSlices are written by the
// endpoints and EndpointSlice controllers, but users may label and annotate
// them (kubectl label endpoints web tier=db). The API server keeps what they
// write until the controllers' next sync of the Service:
//
//   - the endpoints controller's syncService writes the Endpoints when their
//     labels (without service.kubernetes.io/headless) differ from the
//     Service's, and then sets the Service's labels; it copies the object it
//     updates, so annotations users set stay;
//   - the EndpointSlice reconciler's setEndpointSliceLabels compares each
//     slice's labels, less the reserved keys (kubernetes.io/service-name,
//     endpointslice.kubernetes.io/managed-by, service.kubernetes.io/headless),
//     with the Service's, and rewrites every slice that differs with the
//     Service's labels and its own reserved ones; annotations stay too.
//
// A sync of the Service happens when its endpoints change and when the Service
// object is updated (labels, annotations, selector, ports); a change of an
// Endpoints' or slice's labels alone triggers none (the controllers watch
// Endpoints for deletion only, and slices by generation, which labels do not
// change). The informers' 12-24 h resync is not modelled.

// EndpointsUserMeta is what users wrote on an Endpoints object or an
// EndpointSlice and the API server keeps.
type EndpointsUserMeta struct {
	// Labels are the object's labels as a user set them (nil: the
	// controller's, from the Service).
	Labels map[string]string
	// Annotations are the annotations a user set (the controllers add their
	// own keys).
	Annotations map[string]string
	// ResourceVersion is that of the user's last write (0: none).
	ResourceVersion int64
}

// EndpointsUser is what users wrote on the Service's Endpoints object.
func (s *Service) EndpointsUser() EndpointsUserMeta { return s.epUser }

// EndpointSliceUser is what users wrote on the Service's i-th EndpointSlice.
func (s *Service) EndpointSliceUser(i int) EndpointsUserMeta {
	if m := s.sliceUser[i]; m != nil {
		return *m
	}
	return EndpointsUserMeta{}
}

// SetEndpointsLabels stores labels a user wrote on the Service's Endpoints
// (slice < 0) or its slice-th EndpointSlice; a write of that object alone.
func (c *Cluster) SetEndpointsLabels(s *Service, slice int, labels map[string]string) {
	m := c.endpointsUser(s, slice)
	m.Labels = maps.Clone(labels)
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	c.rv++
	m.ResourceVersion = c.rv
}

// SetEndpointsAnnotations stores the annotations a user wrote on the Service's
// Endpoints (slice < 0) or its slice-th EndpointSlice.
func (c *Cluster) SetEndpointsAnnotations(s *Service, slice int, annotations map[string]string) {
	m := c.endpointsUser(s, slice)
	m.Annotations = maps.Clone(annotations)
	c.rv++
	m.ResourceVersion = c.rv
}

func (c *Cluster) endpointsUser(s *Service, slice int) *EndpointsUserMeta {
	if slice < 0 {
		return &s.epUser
	}
	if s.sliceUser == nil {
		s.sliceUser = map[int]*EndpointsUserMeta{}
	}
	m := s.sliceUser[slice]
	if m == nil {
		m = &EndpointsUserMeta{}
		s.sliceUser[slice] = m
	}
	return m
}

// userLabels reports whether a user's labels stand on the Service's Endpoints
// or one of its slices.
func (s *Service) userLabels() bool {
	if s.epUser.Labels != nil {
		return true
	}
	for _, m := range s.sliceUser {
		if m.Labels != nil {
			return true
		}
	}
	return false
}

// dropUserLabels is the controllers' write of the Service's labels over what
// users set; slices beyond the Service's n endpoints are gone, with what users
// wrote on them.
func (s *Service) dropUserLabels(slices int) {
	s.epUser.Labels = nil
	for i, m := range s.sliceUser {
		if i >= slices {
			delete(s.sliceUser, i)
			continue
		}
		m.Labels = nil
	}
}

// serviceSynced is the controllers' sync of s after an update of the Service
// object: if its labels changed (labelsChanged), or a user's labels stand on
// its Endpoints or slices, they write them all with the Service's labels.
// The API server's kubernetes Service has no selector: the controllers leave
// it alone.
func (c *Cluster) serviceSynced(s *Service, labelsChanged bool) {
	if s.Deleted || s.IsAPIServer() || (!labelsChanged && !s.userLabels()) {
		return
	}
	changed := s.epChanged
	c.endpointsWritten(s)
	s.epChanged = changed // no pod or Service creation triggered it
}

// EndpointsDeleted is a deletion of the Service's Endpoints object: the
// endpoints controller creates it again at once from the Service (a new
// write: what users wrote on it is gone).
func (c *Cluster) EndpointsDeleted(s *Service) {
	c.rv++
	s.epUser = EndpointsUserMeta{ResourceVersion: c.rv}
}
