// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package albemu

import (
	"fmt"
	"strconv"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/annotations"
)

// Settings are the target group's settings, read from an Ingress the way the
// AWS Load Balancer Controller reads them (its own annotation parser).
type Settings struct {
	TargetType          string
	DeregistrationDelay time.Duration
	HealthCheckPath     string
	HealthCheckInterval time.Duration
	HealthCheckTimeout  time.Duration
	HealthyThreshold    int
	UnhealthyThreshold  int
}

// ELB defaults for what an Ingress does not say.
var elbDefaults = Settings{
	TargetType:          "instance",
	DeregistrationDelay: 300 * time.Second,
	HealthCheckPath:     "/",
	HealthCheckInterval: 15 * time.Second,
	HealthCheckTimeout:  5 * time.Second,
	HealthyThreshold:    5,
	UnhealthyThreshold:  2,
}

// SettingsFromIngress reads the target group settings of ing.
func SettingsFromIngress(ing *networkingv1.Ingress) (Settings, error) {
	return settingsFrom(annotations.NewSuffixAnnotationParser(annotations.AnnotationPrefixIngress), ing.Annotations)
}

func settingsFrom(p annotations.Parser, ann map[string]string) (Settings, error) {
	s := elbDefaults
	p.ParseStringAnnotation(annotations.IngressSuffixTargetType, &s.TargetType, ann)
	p.ParseStringAnnotation(annotations.IngressSuffixHealthCheckPath, &s.HealthCheckPath, ann)
	// number parses one integer annotation and hands it to set when present.
	number := func(suffix string, set func(int64)) error {
		var v int64
		ok, err := p.ParseInt64Annotation(suffix, &v, ann)
		if ok && err == nil {
			set(v)
		}
		return err
	}
	seconds := func(d *time.Duration) func(int64) { return func(v int64) { *d = time.Duration(v) * time.Second } }
	count := func(n *int) func(int64) { return func(v int64) { *n = int(v) } }
	for _, err := range []error{
		number(annotations.IngressSuffixHealthCheckIntervalSeconds, seconds(&s.HealthCheckInterval)),
		number(annotations.IngressSuffixHealthCheckTimeoutSeconds, seconds(&s.HealthCheckTimeout)),
		number(annotations.IngressSuffixHealthyThresholdCount, count(&s.HealthyThreshold)),
		number(annotations.IngressSuffixUnhealthyThresholdCount, count(&s.UnhealthyThreshold)),
	} {
		if err != nil {
			return Settings{}, err
		}
	}
	var attrs map[string]string
	if _, err := p.ParseStringMapAnnotation(annotations.IngressSuffixTargetGroupAttributes, &attrs, ann); err != nil {
		return Settings{}, err
	}
	if v, ok := attrs["deregistration_delay.timeout_seconds"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return Settings{}, fmt.Errorf("deregistration_delay.timeout_seconds %q: %w", v, err)
		}
		s.DeregistrationDelay = time.Duration(n) * time.Second
	}
	return s, nil
}
