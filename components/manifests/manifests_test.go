package manifests

import "testing"

func TestImageTagBecomesTheVersionLabelOnlyWhenValid(t *testing.T) {
	for image, want := range map[string]string{
		"ghcr.io/acme/web:1.4.2":          "1.4.2",
		"localhost:5000/web":              "",
		"localhost:5000/web:v2":           "v2",
		"web@sha256:0123456789abcdef":     "",
		"web:1.0@sha256:0123456789abcdef": "1.0",
		"web:_internal":                   "",
		"web":                             "",
		"web:a.very-long-tag-that-is-far-beyond-the-sixty-three-characters-a-label-allows": "",
	} {
		if got := imageTag(image); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", image, got, want)
		}
	}
}
