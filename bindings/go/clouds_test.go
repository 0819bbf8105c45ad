package swiftclient_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// The local Keystone's URL and the demo project, from cluster.env.
func keystone(t *testing.T) (url, project string) {
	url, project = os.Getenv("SWC_TEST_KEYSTONE_URL"), os.Getenv("SWC_TEST_KS_DEMO_PROJECT_ID")
	if url == "" || project == "" {
		t.Fatal("SWC_TEST_KEYSTONE_URL is not set: source .cluster/cluster.env (scripts/cluster up)")
	}
	return url, project
}

// A cloud of clouds.yaml (options "cloud", "clouds_file") authenticates
// against the real Keystone, its password from secure.yaml beside the
// file named by OS_CLIENT_SECURE_FILE; a missing cloud is ErrConfig
// naming the file and the clouds it has.
func TestCloudsYAML(t *testing.T) {
	ctx := context.Background()
	url, project := keystone(t)
	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	secure := filepath.Join(dir, "secure.yaml")
	entry := fmt.Sprintf("clouds:\n  local:\n    auth:\n      auth_url: %s\n      username: demo\n"+
		"      project_name: demo\n      user_domain_name: Default\n      project_domain_name: Default\n"+
		"    identity_api_version: 3\n", url)
	if err := os.WriteFile(clouds, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secure, []byte("clouds:\n  local:\n    auth:\n      password: demopass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OS_CLIENT_SECURE_FILE", secure)
	c, err := swiftclient.New(swiftclient.Options{"cloud": "local", "clouds_file": clouds})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info, err := c.Auth(ctx, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(info.StorageURL, "/AUTH_"+project) || info.AuthVersion != "3" {
		t.Fatalf("auth info: %+v", info)
	}
	if _, err := c.HeadAccount(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, err = swiftclient.New(swiftclient.Options{"cloud": "other", "clouds_file": clouds})
	var e *swiftclient.Error
	if !errors.Is(err, swiftclient.ErrConfig) || !errors.As(err, &e) ||
		!strings.Contains(e.Message, clouds) || !strings.Contains(e.Message, "it has: local") {
		t.Fatalf("a missing cloud: %v", err)
	}
}

// Service credentials: the client authenticates the service identity too
// (a wrong service key fails the request with the service user's 401).
func TestServiceCredentials(t *testing.T) {
	ctx := context.Background()
	url, _ := keystone(t)
	opts := swiftclient.Options{
		"os_auth_url": url, "os_username": "demo", "os_password": "demopass",
		"os_user_domain_name": "Default", "os_project_name": "demo", "os_project_domain_name": "Default",
		"service_username": "swc-svc", "service_key": "svcpass", "service_project_name": "service",
	}
	c, err := swiftclient.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.HeadAccount(ctx, nil); err != nil {
		t.Fatal(err)
	}
	opts["service_key"] = "wrong"
	bad, err := swiftclient.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	_, err = bad.HeadAccount(ctx, nil)
	if !errors.Is(err, swiftclient.ErrAuth) || !strings.Contains(err.Error(), "service token") {
		t.Fatalf("a wrong service key: %v", err)
	}
}
