package probe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/httpcheck/httpcheck/reports/redact"
)

// Secrets are the values of the recipe that reports must not show: those
// read from the environment ({"env": "NAME"}), and those of fields named
// like secrets (password, token, ...; redact.IsSecretName) or listed in
// secret_fields.
func (r *Recipe) Secrets() []string { return r.secrets }

// SessionSecretFields are the secret_fields of the recipe the run probes.
func SessionSecretFields() []string {
	if session == nil || session.recipe == nil {
		return nil
	}
	return session.recipe.SecretFields
}

// SessionSecrets are the secrets of the recipe the run probes (UseSession),
// for the run's redactor; none without a recipe.
func SessionSecrets() []string {
	if session == nil || session.recipe == nil {
		return nil
	}
	return session.recipe.Secrets()
}

// resolveValues replaces, anywhere in a recipe, an object that is exactly
// {"env": "NAME"} with the value of the environment variable NAME, and
// collects the recipe's secrets. A variable that is not set is an error naming it and
// where the recipe asks for it. A recipe without such objects comes back
// as it was.
func resolveValues(data []byte) ([]byte, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return data, nil, nil // ParseRecipe says what is wrong with it
	}
	var secrets []string
	secretField := func(name string) bool { return redact.IsSecretName(name) }
	if top, ok := v.(map[string]any); ok {
		if names, ok := top["secret_fields"].([]any); ok {
			secretField = func(name string) bool {
				for _, n := range names {
					if s, ok := n.(string); ok && strings.EqualFold(s, name) {
						return true
					}
				}
				return redact.IsSecretName(name)
			}
		}
	}
	changed := false
	var walk func(v any, where, field string) (any, error)
	walk = func(v any, where, field string) (any, error) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				if name, ok := x["env"].(string); ok {
					val, set := os.LookupEnv(name)
					if !set {
						return nil, fmt.Errorf("%s: environment variable %s is not set", where, name)
					}
					changed = true
					secrets = append(secrets, val)
					return val, nil
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				nv, err := walk(x[k], strings.TrimPrefix(where+"."+k, "."), k)
				if err != nil {
					return nil, err
				}
				x[k] = nv
			}
			return x, nil
		case []any:
			for i := range x {
				nv, err := walk(x[i], fmt.Sprintf("%s[%d]", where, i), field)
				if err != nil {
					return nil, err
				}
				x[i] = nv
			}
			return x, nil
		case string:
			if field != "" && secretField(field) {
				secrets = append(secrets, x)
			}
		}
		return v, nil
	}
	nv, err := walk(v, "", "")
	if err != nil {
		return nil, nil, err
	}
	if !changed {
		return data, secrets, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nv); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), secrets, nil
}
