// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package albemu

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	elbv2api "sigs.k8s.io/aws-load-balancer-controller/apis/elbv2/v1beta1"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/inject/pod_readiness"
	lbcmetrics "sigs.k8s.io/aws-load-balancer-controller/pkg/metrics/lbc"
	lbcwebhook "sigs.k8s.io/aws-load-balancer-controller/pkg/webhook"
	"sigs.k8s.io/aws-load-balancer-controller/webhooks/core"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Names the real controller's Helm chart uses for its pod webhook.
const (
	webhookConfigName = "aws-load-balancer-webhook"
	webhookName       = "mpod.elbv2.k8s.aws"
	webhookPath       = "/mutate-v1-pod"
	// NamespaceLabel is the label that turns gate injection on.
	NamespaceLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"
)

// Scheme holds the Kubernetes types and the controller's elbv2 types.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := elbv2api.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// Webhook serves the controller's pod readiness-gate mutator on loopback,
// registered with the API server like the controller's chart registers it.
type Webhook struct {
	srv *http.Server
	cs  kubernetes.Interface
}

// StartWebhook serves the mutator on 127.0.0.1 with a fresh self-signed
// certificate and registers a MutatingWebhookConfiguration pointing at it
// (namespaceSelector on NamespaceLabel, failurePolicy Ignore, pods CREATE).
func StartWebhook(ctx context.Context, cfg *rest.Config) (*Webhook, error) {
	// controller-runtime warns, with a stack, when nothing took its logs.
	ctrllog.SetLogger(logr.Discard())
	scheme, err := Scheme()
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	gate := pod_readiness.NewPodReadinessGate(pod_readiness.PodReadinessGateConfig{EnablePodReadinessGateInject: true}, c, logr.Discard())
	mutator := core.NewPodReadinessGateMutator(gate, lbcmetrics.NewMockCollector())
	hook := lbcwebhook.MutatingWebhookForMutator(mutator, scheme)

	certPEM, keyPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, hook)
	w := &Webhook{
		srv: &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}}, ReadHeaderTimeout: 10 * time.Second},
		cs:  cs,
	}
	go func() { _ = w.srv.ServeTLS(ln, "", "") }()

	url := fmt.Sprintf("https://%s%s", ln.Addr(), webhookPath)
	ignore := admissionregistrationv1.Ignore
	none := admissionregistrationv1.SideEffectClassNone
	timeout := int32(10)
	mwc := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: webhookConfigName},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    webhookName,
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: certPEM},
			FailurePolicy:           &ignore,
			SideEffects:             &none,
			TimeoutSeconds:          &timeout,
			AdmissionReviewVersions: []string{"v1", "v1beta1"},
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: NamespaceLabel, Operator: metav1.LabelSelectorOpIn, Values: []string{"enabled"},
			}}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
			}},
		}},
	}
	api := cs.AdmissionregistrationV1().MutatingWebhookConfigurations()
	if err := api.Delete(ctx, webhookConfigName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		w.srv.Close()
		return nil, err
	}
	if _, err := api.Create(ctx, mwc, metav1.CreateOptions{}); err != nil {
		w.srv.Close()
		return nil, fmt.Errorf("registering the pod webhook: %w", err)
	}
	return w, nil
}

// Down stops serving but keeps the registration: the API server then fails
// to reach the webhook and, with failurePolicy Ignore, admits pods without
// gates. This is what a controller outage looks like.
func (w *Webhook) Down() error { return w.srv.Close() }

// Stop stops serving and unregisters the webhook.
func (w *Webhook) Stop(ctx context.Context) error {
	err := w.srv.Close()
	if e := w.cs.AdmissionregistrationV1().MutatingWebhookConfigurations().Delete(ctx, webhookConfigName, metav1.DeleteOptions{}); e != nil && !apierrors.IsNotFound(e) {
		err = errors.Join(err, e)
	}
	return err
}

// selfSigned makes a certificate for 127.0.0.1, valid for a day.
func selfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "albemu webhook"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}
