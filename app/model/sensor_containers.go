package model

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ContainerService is a container honeypot assigned to an original HoneySens sensor: the
// sensor pulls an image per architecture and runs it as the original server describes its
// service revisions. The images live in a registry the operator names; the appliance runs
// none (see README, "Original HoneySens sensors").
type ContainerService struct {
	ID       int64  `json:"id"` // the service id the sensor knows it by (its container is s<id>)
	SensorID int64  `json:"sensor"`
	Label    string `json:"label"`
	// Registry is the host (and port) of the registry the images are in.
	Registry string `json:"registry"`
	// Images are the repository and tag in that registry, by architecture (amd64, armhf, ...).
	Images map[string]string `json:"images"`
	// RawNetworkAccess runs the container on the sensor's own network (host networking).
	RawNetworkAccess bool `json:"raw_network_access"`
	// CatchAll sends all traffic no other service takes to this container.
	CatchAll bool `json:"catch_all"`
	// PortAssignment maps a container port ("2222/tcp") to the sensor port it is published on.
	PortAssignment map[string]int `json:"port_assignment"`
}

// ContainerArchitectures are the architectures an image can be given for: amd64 and armhf
// are the platforms of the original (Docker on x86, BeagleBone Black), arm64 newer boards.
var ContainerArchitectures = []string{"amd64", "armhf", "arm64"}

var (
	containerLabelPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	registryPattern       = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,252}[a-z0-9])?(:[0-9]{1,5})?$`)
	// The repository and tag grammar of container image references.
	imagePattern     = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	containerPortKey = regexp.MustCompile(`^([0-9]{1,5})/(tcp|udp)$`)
)

// Validate checks the assignment; messages are keyed by the JSON names (images.<arch> and
// port_assignment for the maps).
func (c *ContainerService) Validate() error {
	f := FieldErrors{}
	if !containerLabelPattern.MatchString(c.Label) {
		f.Add("label", "Use 1-64 letters, digits, '.', '_' or '-'.")
	}
	if !registryPattern.MatchString(c.Registry) {
		f.Add("registry", "Use the registry's host name, with :port if needed (registry.example.org:5000).")
	}
	if len(c.Images) == 0 {
		f.Add("images", "Give the image for at least one architecture.")
	}
	for arch, image := range c.Images {
		if !slices.Contains(ContainerArchitectures, arch) {
			f.Add("images", "Unknown architecture "+strconv.Quote(arch)+".")
		} else if image != "" && !imagePattern.MatchString(image) {
			f.Add("images."+arch, "Use repository:tag in lower case, such as honeysens/cowrie:armhf-2.5.0.")
		}
	}
	if len(c.PortAssignment) > 64 {
		f.Add("port_assignment", "At most 64 ports.")
	}
	for key, port := range c.PortAssignment {
		m := containerPortKey.FindStringSubmatch(key)
		n := 0
		if m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		if n < 1 || n > 65535 || port < 1 || port > 65535 {
			f.Add("port_assignment", "Map container ports such as 2222/tcp to sensor ports from 1 to 65535.")
		}
	}
	return f.Err()
}

// Normalize drops architectures without an image.
func (c *ContainerService) Normalize() {
	c.Label, c.Registry = strings.TrimSpace(c.Label), strings.ToLower(strings.TrimSpace(c.Registry))
	for arch, image := range c.Images {
		if image = strings.TrimSpace(image); image == "" {
			delete(c.Images, arch)
		} else {
			c.Images[arch] = image
		}
	}
	if c.PortAssignment == nil {
		c.PortAssignment = map[string]int{}
	}
}
