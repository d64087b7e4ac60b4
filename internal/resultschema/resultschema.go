// Package resultschema checks results.json documents against the published
// JSON Schema, docs/results.schema.json, so that the schema users build on
// and the files httpcheck writes cannot drift apart. The tests that read
// the results of a run (the CLI's, the fault tests') validate them here.
package resultschema

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	once     sync.Once
	compiled *jsonschema.Schema
	loadErr  error
)

// Path is where the schema is in the repository.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "docs", "results.schema.json")
}

func schema() (*jsonschema.Schema, error) {
	once.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		compiled, loadErr = c.Compile(Path())
	})
	return compiled, loadErr
}

// Validate reports how the results.json document data breaks the schema,
// or nil.
func Validate(data []byte) error {
	s, err := schema()
	if err != nil {
		return fmt.Errorf("compiling %s: %w", Path(), err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(doc)
}
