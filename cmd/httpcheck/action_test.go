package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCITemplates checks the GitHub Action (action.yml) and the GitLab CI
// template (ci/httpcheck.gitlab-ci.yml) against the CLI they drive: both
// parse as YAML, every `--flag` their scripts pass is a flag of the
// command it is passed to, and every input the action reads is declared.
func TestCITemplates(t *testing.T) {
	flagsOf := map[string][]string{}
	for _, cmd := range []string{"run", "report"} {
		r := httpcheck(t, cmd, "-h")
		for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z-]+)`).FindAllStringSubmatch(r.stderr+r.stdout, -1) {
			flagsOf[cmd] = append(flagsOf[cmd], m[1])
		}
		if len(flagsOf[cmd]) == 0 {
			t.Fatalf("httpcheck %s -h listed no flags:\n%s%s", cmd, r.stdout, r.stderr)
		}
	}
	flag := regexp.MustCompile(`(^|[\s("])--([a-z][a-z-]*)`)
	checkScript := func(file, script string) {
		for _, l := range strings.Split(script, "\n") {
			cmd := "run"
			if strings.Contains(l, " report ") {
				cmd = "report"
			}
			for _, m := range flag.FindAllStringSubmatch(l, -1) {
				if !slices.Contains(flagsOf[cmd], m[2]) {
					t.Errorf("%s passes --%s to httpcheck %s, which has no such flag: %s", file, m[2], cmd, strings.TrimSpace(l))
				}
			}
		}
	}

	var action struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps) == 0 {
		t.Fatalf("action.yml is not a composite action with steps")
	}
	input := regexp.MustCompile(`\$\{\{\s*inputs\.([a-z-]+)\s*\}\}`)
	for _, m := range input.FindAllStringSubmatch(string(data), -1) {
		if _, ok := action.Inputs[m[1]]; !ok {
			t.Errorf("action.yml reads inputs.%s, which it does not declare", m[1])
		}
	}
	for _, s := range action.Runs.Steps {
		checkScript("action.yml", s.Run)
		if s.Uses != "" && !regexp.MustCompile(`@v\d+$`).MatchString(s.Uses) {
			t.Errorf("action.yml step %q uses %s: pin a major version", s.Name, s.Uses)
		}
	}

	var gitlab map[string]struct {
		Script      []string `yaml:"script"`
		AfterScript []string `yaml:"after_script"`
	}
	data, err = os.ReadFile("../../ci/httpcheck.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &gitlab); err != nil {
		t.Fatalf("ci/httpcheck.gitlab-ci.yml: %v", err)
	}
	job, ok := gitlab[".httpcheck"]
	if !ok || len(job.Script) == 0 {
		t.Fatalf("ci/httpcheck.gitlab-ci.yml has no .httpcheck job with a script")
	}
	checkScript("ci/httpcheck.gitlab-ci.yml", strings.Join(append(job.Script, job.AfterScript...), "\n"))
}
