package swiftclient

import (
	"encoding/json"
	"fmt"
)

// Config is the typed form of the client options (Options is the map
// form; both give the same JSON). Each field is the option of the same
// name in swiftclient.h's swc_client_new documentation; its json tag is
// the key. Zero values are left out, so the library's default applies:
// the options whose zero is a meaningful setting different from the
// default (Retries, RetryOnRatelimit, UseEnvironmentProxy) are pointers.
// Extra carries keys this struct does not name (newer library options).
type Config struct {
	// Auth is the v1 (tempauth, ST_AUTH) auth URL; OSAuthURL the Keystone
	// one.
	Auth        string `json:"auth,omitempty"`
	OSAuthURL   string `json:"os_auth_url,omitempty"`
	AuthVersion string `json:"auth_version,omitempty"` // "1.0", "2.0" or "3"
	// User and Key: v1 user (account:user) and key, or Keystone user name
	// and password.
	User                          string  `json:"user,omitempty"`
	Key                           string  `json:"key,omitempty"`
	OSUsername                    string  `json:"os_username,omitempty"`
	OSPassword                    string  `json:"os_password,omitempty"`
	OSUserID                      string  `json:"os_user_id,omitempty"`
	OSUserDomainID                string  `json:"os_user_domain_id,omitempty"`
	OSUserDomainName              string  `json:"os_user_domain_name,omitempty"`
	OSTenantID                    string  `json:"os_tenant_id,omitempty"`
	OSTenantName                  string  `json:"os_tenant_name,omitempty"`
	OSProjectID                   string  `json:"os_project_id,omitempty"`
	OSProjectName                 string  `json:"os_project_name,omitempty"`
	OSProjectDomainID             string  `json:"os_project_domain_id,omitempty"`
	OSProjectDomainName           string  `json:"os_project_domain_name,omitempty"`
	OSDomainID                    string  `json:"os_domain_id,omitempty"`
	OSDomainName                  string  `json:"os_domain_name,omitempty"`
	OSAuthType                    string  `json:"os_auth_type,omitempty"`
	OSAuthToken                   string  `json:"os_auth_token,omitempty"`
	OSStorageURL                  string  `json:"os_storage_url,omitempty"`
	OSApplicationCredentialID     string  `json:"os_application_credential_id,omitempty"`
	OSApplicationCredentialName   string  `json:"os_application_credential_name,omitempty"`
	OSApplicationCredentialSecret string  `json:"os_application_credential_secret,omitempty"`
	OSServiceType                 string  `json:"os_service_type,omitempty"`
	OSServiceName                 string  `json:"os_service_name,omitempty"`
	OSEndpointType                string  `json:"os_endpoint_type,omitempty"`
	OSRegionName                  string  `json:"os_region_name,omitempty"`
	Cloud                         string  `json:"cloud,omitempty"`       // a clouds.yaml entry
	CloudsFile                    string  `json:"clouds_file,omitempty"` // clouds.yaml to read
	ServiceUsername               string  `json:"service_username,omitempty"`
	ServiceUserID                 string  `json:"service_user_id,omitempty"`
	ServiceKey                    string  `json:"service_key,omitempty"`
	ServiceProjectName            string  `json:"service_project_name,omitempty"`
	ServiceProjectID              string  `json:"service_project_id,omitempty"`
	ServiceUserDomainName         string  `json:"service_user_domain_name,omitempty"`
	ServiceUserDomainID           string  `json:"service_user_domain_id,omitempty"`
	ServiceProjectDomainName      string  `json:"service_project_domain_name,omitempty"`
	ServiceProjectDomainID        string  `json:"service_project_domain_id,omitempty"`
	OSCACert                      string  `json:"os_cacert,omitempty"`  // CA bundle file
	CACertPEM                     string  `json:"cacert_pem,omitempty"` // CA certificates as PEM text
	CACertOnly                    bool    `json:"cacert_only,omitempty"`
	OSCert                        string  `json:"os_cert,omitempty"`
	OSKey                         string  `json:"os_key,omitempty"`
	Insecure                      bool    `json:"insecure,omitempty"`
	AuthHeaders                   string  `json:"auth_headers,omitempty"` // "auth" or "storage"
	Retries                       *int    `json:"retries,omitempty"`
	RetryOnRatelimit              *bool   `json:"retry_on_ratelimit,omitempty"`
	ForceAuthRetry                bool    `json:"force_auth_retry,omitempty"`
	UseEnvironmentProxy           *bool   `json:"use_environment_proxy,omitempty"`
	Proxy                         string  `json:"proxy,omitempty"`
	NoProxy                       string  `json:"no_proxy,omitempty"`
	UserAgent                     string  `json:"user_agent,omitempty"`
	TransIDExtra                  string  `json:"trans_id_extra,omitempty"`
	CredentialsFromCallback       bool    `json:"credentials_from_callback,omitempty"`
	SSLCompression                bool    `json:"ssl_compression,omitempty"` // accepted, ignored
	Debug                         bool    `json:"debug,omitempty"`
	Info                          bool    `json:"info,omitempty"`
	Verbose                       int     `json:"verbose,omitempty"`
	MemoryLimit                   int64   `json:"memory_limit,omitempty"` // bytes, at least 8 MiB
	ObjectDDThreads               int     `json:"object_dd_threads,omitempty"`
	ObjectUUThreads               int     `json:"object_uu_threads,omitempty"`
	ContainerThreads              int     `json:"container_threads,omitempty"`
	SegmentThreads                int     `json:"segment_threads,omitempty"`
	StartingBackoff               float64 `json:"starting_backoff,omitempty"`     // seconds
	MaxBackoff                    float64 `json:"max_backoff,omitempty"`          // seconds
	MaxRetryAfter                 float64 `json:"max_retry_after,omitempty"`      // seconds
	Timeout                       float64 `json:"timeout,omitempty"`              // idle read, seconds
	ConnectTimeout                float64 `json:"connect_timeout,omitempty"`      // seconds
	TokenRefreshMargin            float64 `json:"token_refresh_margin,omitempty"` // seconds

	// Extra holds further option keys, passed as they are. A key both
	// here and in a field is an error (ErrConfig naming it).
	Extra map[string]interface{} `json:"-"`
}

// Bool returns a pointer to b, for Config's optional booleans.
func Bool(b bool) *bool { return &b }

// Int returns a pointer to i, for Config.Retries.
func Int(i int) *int { return &i }

// Options converts the configuration into the options map.
func (c Config) Options() (Options, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "config: " + err.Error(), cause: err}
	}
	m := Options{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "config: " + err.Error(), cause: err}
	}
	for k, v := range c.Extra {
		if _, dup := m[k]; dup {
			return nil, &Error{Status: StatusConfig, Key: k,
				Message: fmt.Sprintf("option %q is set both in a Config field and in Extra", k)}
		}
		m[k] = v
	}
	return m, nil
}

// NewWithConfig makes a client from a Config; it does not touch the
// network. Equivalent to New(cfg.Options()).
func NewWithConfig(cfg Config) (*Client, error) {
	opts, err := cfg.Options()
	if err != nil {
		return nil, err
	}
	return newClient(opts, false)
}

// NewFromEnvWithConfig is NewFromEnv with a Config: the ST_* / OS_*
// environment, overridden by the fields set in cfg.
func NewFromEnvWithConfig(cfg Config) (*Client, error) {
	opts, err := cfg.Options()
	if err != nil {
		return nil, err
	}
	return newClient(opts, true)
}
