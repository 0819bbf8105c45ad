package swiftclient_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// configKeys are Config's json keys, field by field.
func configKeys() map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	ty := reflect.TypeOf(swiftclient.Config{})
	for i := 0; i < ty.NumField(); i++ {
		f := ty.Field(i)
		if k := strings.Split(f.Tag.Get("json"), ",")[0]; k != "" && k != "-" {
			out[k] = f
		}
	}
	return out
}

// Every option the library's Options struct (src/options.rs) declares is
// a Config field, and no field names anything else.
func TestConfigHasEveryLibraryOption(t *testing.T) {
	src, err := os.ReadFile("../../src/options.rs")
	if err != nil {
		t.Skip("no library source beside the binding:", err)
	}
	body := string(src)
	start := strings.Index(body, "pub struct Options {")
	end := strings.Index(body[start:], "\n}\n")
	var lib []string
	for _, m := range regexp.MustCompile(`(?m)^\s*pub (\w+): Option<`).FindAllStringSubmatch(body[start:start+end], -1) {
		lib = append(lib, m[1])
	}
	keys := configKeys()
	var have []string
	for k := range keys {
		have = append(have, k)
	}
	sort.Strings(lib)
	sort.Strings(have)
	if len(lib) < 40 || !reflect.DeepEqual(lib, have) {
		t.Fatalf("library options %v\nConfig keys     %v", lib, have)
	}
}

// Each field, set alone, is a key the library accepts (an unknown key is
// an ErrConfig naming it).
func TestConfigFieldsAreKeysTheLibraryAccepts(t *testing.T) {
	for k, f := range configKeys() {
		var cfg swiftclient.Config
		v := reflect.ValueOf(&cfg).Elem().FieldByName(f.Name)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int, reflect.Int64:
			v.SetInt(1 << 30)
		case reflect.Float64:
			v.SetFloat(5)
		case reflect.Ptr:
			v.Set(reflect.New(v.Type().Elem()))
		default:
			t.Fatalf("%s: kind %s", f.Name, v.Kind())
		}
		opts, err := cfg.Options()
		if err != nil || len(opts) != 1 || opts[k] == nil {
			t.Fatalf("%s: options %v, %v", f.Name, opts, err)
		}
		c, err := swiftclient.NewWithConfig(cfg)
		var se *swiftclient.Error
		if errors.As(err, &se) && strings.Contains(se.Message, "unknown option") {
			t.Fatalf("%s (%q): %v", f.Name, k, err)
		}
		if c != nil {
			c.Close()
		}
	}
}

func TestNewWithConfigAuthenticates(t *testing.T) {
	c, err := swiftclient.NewWithConfig(swiftclient.Config{Auth: authURL(t), User: "test:tester", Key: "testing",
		AuthVersion: "1.0", Retries: swiftclient.Int(0), RetryOnRatelimit: swiftclient.Bool(false),
		UseEnvironmentProxy: swiftclient.Bool(false), UserAgent: "go-config-test",
		Extra: map[string]interface{}{"trans_id_extra": "from-extra"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := c.Auth(context.Background(), true, false)
	if err != nil || !strings.Contains(a.StorageURL, "AUTH_test") {
		t.Fatalf("auth: %+v, %v", a, err)
	}
	// Zero values are left out: false and 0 only when asked for.
	opts, err := swiftclient.Config{Retries: swiftclient.Int(0), Insecure: false}.Options()
	if err != nil || len(opts) != 1 || opts["retries"] != float64(0) {
		t.Fatalf("options %v, %v", opts, err)
	}
	// Extra passes other keys; the library still refuses unknown ones,
	// and a key in both places is ambiguous.
	_, err = swiftclient.NewWithConfig(swiftclient.Config{Extra: map[string]interface{}{"auth_url": "http://x"}})
	var se *swiftclient.Error
	if !errors.As(err, &se) || se.Status != swiftclient.StatusConfig || se.Key != "auth_url" {
		t.Fatalf("auth_url: %v", err)
	}
	_, err = swiftclient.NewWithConfig(swiftclient.Config{User: "a", Extra: map[string]interface{}{"user": "b"}})
	if !errors.As(err, &se) || se.Status != swiftclient.StatusConfig || se.Key != "user" {
		t.Fatalf("user twice: %v", err)
	}
}
