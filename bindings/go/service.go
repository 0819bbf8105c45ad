package swiftclient

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// Record is one result record of a bulk operation: python-swiftclient's
// keys (action, success, container, object, error, ...) decoded; Raw holds
// the whole record for the keys a given action adds.
type Record struct {
	Action    string `json:"action"`
	Success   bool   `json:"success"`
	Container string `json:"container"`
	Object    string `json:"object"`
	// Status is the outcome word some actions give, e.g. "uploaded",
	// "skipped-identical" (upload_object).
	Status string `json:"-"`
	// Path is the local file of an upload or download.
	Path string `json:"path"`
	// Error is the failure message; ErrorRecord the full error.
	Error       string `json:"error"`
	ErrorRecord *Error `json:"error_record"`
	// Headers, as in python-swiftclient: the response's headers for
	// stat_* records; the headers sent for upload_object,
	// create_dir_marker, create_container, post_* and copy_object; absent
	// for downloads and deletes (their response's headers are in
	// Raw's response_dict).
	Headers  map[string]string `json:"headers"`
	Attempts int               `json:"attempts"`
	// Listing holds the entries of list_account_part / list_container_part.
	Listing []ListEntry     `json:"listing"`
	Raw     json.RawMessage `json:"-"`
}

// ListEntry is one listing entry of a list record (containers have Count,
// objects Hash and ContentType, pseudo-directories only Subdir).
type ListEntry struct {
	Name         string `json:"name"`
	Bytes        int64  `json:"bytes"`
	Count        int64  `json:"count"`
	Hash         string `json:"hash"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
	Subdir       string `json:"subdir"`
}

// UnmarshalJSON decodes a record and keeps it whole in Raw.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var extra struct {
		Status json.RawMessage `json:"status"`
	}
	_ = json.Unmarshal(b, &extra)
	var status string
	if len(extra.Status) > 0 && extra.Status[0] == '"' {
		_ = json.Unmarshal(extra.Status, &status)
	}
	*r = Record(p)
	r.Status = status
	r.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Progress is a progress event: byte counts of the current object and the
// whole operation, or a retry/re-auth event (Event "retry" / "reauth").
type Progress struct {
	Event        string          `json:"event"`
	Container    string          `json:"container"`
	Object       string          `json:"object"`
	Bytes        int64           `json:"bytes"`
	Total        int64           `json:"total"`
	OverallBytes int64           `json:"overall_bytes"`
	OverallTotal int64           `json:"overall_total"`
	Raw          json.RawMessage `json:"-"`
}

// Summary ends every bulk operation: how many records, how many failed.
type Summary struct {
	Action  string          `json:"action"`
	Records int             `json:"records"`
	Failed  int             `json:"failed"`
	Raw     json.RawMessage `json:"-"`
}

// Handlers receive a bulk operation's records and progress. Records never
// arrive concurrently with each other; they run on a library thread, so
// shared state needs the usual care. Returning an error from OnRecord stops
// the operation and becomes the error's cause. Either may be nil.
type Handlers struct {
	OnRecord   func(Record) error
	OnProgress func(Progress)
}

type startFn func(cl *C.swc_client, req *C.char, rec C.swc_record_fn, prog C.swc_progress_fn,
	done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status

// run starts a bulk operation, waits for it (cancelling it when ctx is
// done), and turns its final status and summary into the result.
func (c *Client) run(ctx context.Context, req map[string]interface{}, hd Handlers, start startFn) (*Summary, error) {
	js, err := json.Marshal(req)
	if err != nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "request: " + err.Error(), cause: err}
	}
	creq := C.CString(string(js))
	defer C.free(unsafe.Pointer(creq))
	s := &callState{done: make(chan struct{})}
	if hd.OnRecord != nil {
		s.record = func(b []byte) error {
			var r Record
			if err := json.Unmarshal(b, &r); err != nil {
				return fmt.Errorf("swiftclient: undecodable record: %w", err)
			}
			return hd.OnRecord(r)
		}
	}
	if hd.OnProgress != nil {
		s.progress = func(b []byte) {
			var p Progress
			if json.Unmarshal(b, &p) == nil {
				p.Raw = b
				hd.OnProgress(p)
			}
		}
	}
	h := cgo.NewHandle(s)
	defer h.Delete()

	cl, err := c.acquire()
	if err != nil {
		return nil, err
	}
	var op *C.swc_op
	st := start(cl, creq, C.swc_record_fn(C.gsw_record), C.swc_progress_fn(C.gsw_progress),
		C.swc_done_fn(C.gsw_done), C.uintptr_t(h), &op)
	if st != 0 {
		c.mu.RUnlock()
		// The contract: a failed start fires no callback.
		return nil, &Error{Status: Status(st), Message: fmt.Sprintf("starting the operation failed: %s", Status(st))}
	}
	c.opsMu.Lock()
	c.ops[op] = struct{}{}
	if c.closing {
		C.swc_op_cancel(op)
	}
	c.opsMu.Unlock()
	select {
	case <-s.done:
	case <-ctx.Done():
		C.swc_op_cancel(op)
		<-s.done
	}
	c.opsMu.Lock()
	delete(c.ops, op)
	c.opsMu.Unlock()
	C.swc_op_free(op)
	c.mu.RUnlock()

	s.rethrow()
	sum := &Summary{Raw: s.summary}
	_ = json.Unmarshal(s.summary, sum)
	if s.status == 0 {
		return sum, nil
	}
	e := &Error{Status: Status(s.status), Summary: s.summary}
	var withErr struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(s.summary, &withErr) == nil && len(withErr.Error) > 0 && withErr.Error[0] == '{' {
		_ = json.Unmarshal(withErr.Error, e)
		e.Raw = withErr.Error
		e.Status = Status(s.status)
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("%d of %d %s records failed", sum.Failed, sum.Records, sum.Action)
	}
	if e.StatusName == "" {
		e.StatusName = e.Status.String()
	}
	e.Summary = s.summary
	e.cause = s.cause()
	if e.cause == nil {
		e.cause = ctxCause(ctx)
	}
	return sum, e
}

// req builds a request object, leaving out zero values.
type req map[string]interface{}

func (r req) str(k, v string) req {
	if v != "" {
		r[k] = v
	}
	return r
}
func (r req) flag(k string, v bool) req {
	if v {
		r[k] = true
	}
	return r
}
func (r req) num(k string, v int64) req {
	if v != 0 {
		r[k] = v
	}
	return r
}
func (r req) list(k string, v []string) req {
	if len(v) > 0 {
		r[k] = v
	}
	return r
}
func (r req) merge(extra map[string]interface{}) map[string]interface{} {
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// UploadItem is one file (or directory, walked) to upload.
type UploadItem struct {
	Path       string
	ObjectName string
	Header     []string
	Meta       []string
}

// UploadRequest is `swift upload`'s options. Container may be
// "container/pseudo/dir". Extra passes further request keys as is.
type UploadRequest struct {
	Container        string
	Objects          []UploadItem
	SegmentSize      int64
	UseSLO           *bool
	SegmentContainer string
	LeaveSegments    bool
	Changed          bool
	SkipIdentical    bool
	SkipChecksum     bool
	FailFast         bool
	// Resumable keeps a failed large upload's segments; the same upload
	// run again sends only those missing.
	Resumable      bool
	Header, Meta   []string
	ObjectThreads  int
	SegmentThreads int
	// ExtractArchive "tar", "tar.gz" or "tar.bz2" sends the files as one
	// archive that the cluster's bulk middleware unpacks (one request;
	// records: a failed upload_object per refused file, then an
	// extract_archive summary). No segmenting, Changed or SkipIdentical.
	ExtractArchive string
	Extra          map[string]interface{}
}

// Upload uploads files and directories concurrently; one record per
// object, segment, created container and directory marker.
func (c *Client) Upload(ctx context.Context, r UploadRequest, hd Handlers) (*Summary, error) {
	items := make([]interface{}, 0, len(r.Objects))
	for _, it := range r.Objects {
		items = append(items, req{"path": it.Path}.str("object_name", it.ObjectName).
			list("header", it.Header).list("meta", it.Meta))
	}
	q := req{"container": r.Container, "objects": items}.num("segment_size", r.SegmentSize).
		str("segment_container", r.SegmentContainer).flag("leave_segments", r.LeaveSegments).
		flag("changed", r.Changed).flag("skip_identical", r.SkipIdentical).flag("fail_fast", r.FailFast).
		flag("resumable", r.Resumable).list("header", r.Header).list("meta", r.Meta).
		num("object_uu_threads", int64(r.ObjectThreads)).num("segment_threads", int64(r.SegmentThreads)).
		str("extract_archive", r.ExtractArchive)
	if r.UseSLO != nil {
		q["use_slo"] = *r.UseSLO
	}
	if r.SkipChecksum {
		q["checksum"] = false
	}
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_upload_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// DownloadRequest is `swift download`'s options. Files are written under a
// temporary name and renamed only once complete and verified; names that
// would land outside OutDirectory are refused.
type DownloadRequest struct {
	Container     string
	Objects       []string
	AllContainers bool
	Prefix        string
	OutFile       string
	OutDirectory  string
	RemovePrefix  bool
	SkipIdentical bool
	NoDownload    bool
	SkipChecksum  bool
	IgnoreMtime   bool
	// ResumePartial ("resume_partial"): a download to a file that fails,
	// is cancelled or whose process dies keeps its partial file (hidden,
	// .<name>.swc-partial, with a sidecar naming the object version); a
	// later download with it set continues that file if the object has
	// not changed, else starts from zero (large objects: per segment). The record's
	// Raw then has "resumed_from" and "transferred".
	ResumePartial    bool
	Header           []string
	ObjectThreads    int
	ContainerThreads int
	Extra            map[string]interface{}
}

// Download downloads objects, a container, or everything.
func (c *Client) Download(ctx context.Context, r DownloadRequest, hd Handlers) (*Summary, error) {
	q := req{}.str("container", r.Container).list("objects", r.Objects).flag("yes_all", r.AllContainers).
		str("prefix", r.Prefix).str("out_file", r.OutFile).str("out_directory", r.OutDirectory).
		flag("remove_prefix", r.RemovePrefix).flag("skip_identical", r.SkipIdentical).
		flag("no_download", r.NoDownload).flag("ignore_mtime", r.IgnoreMtime).list("header", r.Header).
		flag("resume_partial", r.ResumePartial).
		num("object_dd_threads", int64(r.ObjectThreads)).num("container_threads", int64(r.ContainerThreads))
	if r.SkipChecksum {
		q["checksum"] = false
	}
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_download_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// DeleteRequest is `swift delete`'s options. Large objects lose their
// segments unless LeaveSegments.
type DeleteRequest struct {
	Container        string
	Objects          []string
	Prefix           string
	AllContainers    bool
	LeaveSegments    bool
	Versions         bool
	Header           []string
	ObjectThreads    int
	ContainerThreads int
	// Bulk: "auto" (default), "always" or "never".
	Bulk  string
	Extra map[string]interface{}
}

// Delete deletes objects, a container with its objects, or everything.
func (c *Client) Delete(ctx context.Context, r DeleteRequest, hd Handlers) (*Summary, error) {
	q := req{}.str("container", r.Container).list("objects", r.Objects).str("prefix", r.Prefix).
		flag("yes_all", r.AllContainers).flag("leave_segments", r.LeaveSegments).flag("versions", r.Versions).
		list("header", r.Header).num("object_dd_threads", int64(r.ObjectThreads)).
		num("container_threads", int64(r.ContainerThreads)).str("bulk", r.Bulk)
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_delete_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// ListRequest is `swift list`'s options; no Container lists the account.
type ListRequest struct {
	Container, Prefix, Delimiter, Marker, EndMarker string
	Long, Versions                                  bool
	Header                                          []string
	// Fields keeps only these keys of each entry (a subdir entry keeps
	// "subdir"), e.g. []string{"name"}: smaller records to decode.
	Fields []string
	Extra  map[string]interface{}
}

// List lists the account or a container: one record per page.
func (c *Client) List(ctx context.Context, r ListRequest, hd Handlers) (*Summary, error) {
	q := req{}.str("container", r.Container).str("prefix", r.Prefix).str("delimiter", r.Delimiter).
		str("marker", r.Marker).str("end_marker", r.EndMarker).flag("long", r.Long).
		flag("versions", r.Versions).list("header", r.Header).list("fields", r.Fields)
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_list_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// StatRequest: the account (no Container), a container, or its Objects.
type StatRequest struct {
	Container string
	Objects   []string
	Header    []string
	Extra     map[string]interface{}
}

// Stat reports on the account, a container or objects.
func (c *Client) Stat(ctx context.Context, r StatRequest, hd Handlers) (*Summary, error) {
	q := req{}.str("container", r.Container).list("objects", r.Objects).list("header", r.Header)
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_stat_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// PostRequest is `swift post`'s options.
type PostRequest struct {
	Container         string
	Objects           []string
	Header, Meta      []string
	ReadACL, WriteACL string
	Extra             map[string]interface{}
}

// Post updates metadata of the account, a container (created if missing)
// or objects.
func (c *Client) Post(ctx context.Context, r PostRequest, hd Handlers) (*Summary, error) {
	q := req{}.str("container", r.Container).list("objects", r.Objects).list("header", r.Header).
		list("meta", r.Meta).str("read_acl", r.ReadACL).str("write_acl", r.WriteACL)
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_post_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// CopyRequest is `swift copy`'s options: Destination "/container" or
// "/container/object" (one object).
type CopyRequest struct {
	Container     string
	Objects       []string
	Destination   string
	FreshMetadata bool
	Header, Meta  []string
	Extra         map[string]interface{}
}

// Copy copies objects server-side.
func (c *Client) Copy(ctx context.Context, r CopyRequest, hd Handlers) (*Summary, error) {
	q := req{"container": r.Container}.list("objects", r.Objects).str("destination", r.Destination).
		flag("fresh_metadata", r.FreshMetadata).list("header", r.Header).list("meta", r.Meta)
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_copy_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// OrphansRequest asks for the segments no manifest in Container uses
// (only those written for Objects, when given); Delete deletes them,
// OlderThan (seconds) leaves younger ones alone.
type OrphansRequest struct {
	Container        string
	Objects          []string
	SegmentContainer string
	Delete           bool
	OlderThan        float64
	Extra            map[string]interface{}
}

// Orphans lists (and with Delete, deletes) the segments that failed or
// abandoned uploads left: records orphan_segment, delete_segment, orphans.
func (c *Client) Orphans(ctx context.Context, r OrphansRequest, hd Handlers) (*Summary, error) {
	q := req{"container": r.Container}.list("objects", r.Objects).
		str("segment_container", r.SegmentContainer).flag("delete", r.Delete)
	if r.OlderThan > 0 {
		q["older_than"] = r.OlderThan
	}
	return c.run(ctx, q.merge(r.Extra), hd, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_orphans_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
}

// Capabilities returns the cluster's /info document (cached per cluster).
func (c *Client) Capabilities(ctx context.Context) (map[string]interface{}, error) {
	var caps map[string]interface{}
	_, err := c.run(ctx, req{}, Handlers{OnRecord: func(r Record) error {
		var v struct {
			Capabilities map[string]interface{} `json:"capabilities"`
		}
		if err := json.Unmarshal(r.Raw, &v); err != nil {
			return err
		}
		caps = v.Capabilities
		return nil
	}}, func(cl *C.swc_client, rq *C.char, rec C.swc_record_fn,
		prog C.swc_progress_fn, done C.swc_done_fn, ud C.uintptr_t, op **C.swc_op) C.swc_status {
		return C.swc_capabilities_start(cl, rq, rec, prog, done, C.gsw_ud(ud), nil, op)
	})
	return caps, err
}
