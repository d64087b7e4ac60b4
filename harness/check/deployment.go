package check

import (
	"slices"

	"github.com/httpcheck/httpcheck/harness"
)

// A run over the instances of one deployment (httpcheck run --target URL1
// --target URL2 ...): every check runs against the first instance, the
// run's target (UseTarget); the others reach checks through
// harness.Env.Instances.

var instances []*harness.Target

// UseInstances sets the other instances of the deployment whose first
// instance is the run's target. The runner calls it once, before RunSpecs.
func UseInstances(others []*harness.Target) { instances = slices.Clone(others) }

// Instances returns the instances set by UseInstances.
func Instances() []*harness.Target { return slices.Clone(instances) }
