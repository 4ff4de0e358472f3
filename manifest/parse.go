package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Error is a manifest that OpenClaw's reader would reject. Its message is
// OpenClaw's own.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Parse decodes and validates a manifest with OpenClaw 2026.9.6's rules:
// schemaVersion 1, a non-empty archiveRoot and createdAt, and an assets array
// whose items have a kind, a sourcePath and an archivePath. Optional fields
// of the wrong type are ignored, as OpenClaw ignores them, except
// paths.stateDir and paths.agentRoots, which OpenClaw also checks. Failures
// are *Error values.
func Parse(data []byte) (*Manifest, error) {
	if len(data) > MaxSize {
		return nil, errorf("Backup manifest exceeds %d byte limit.", MaxSize)
	}
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, errorf("Backup manifest is not valid JSON.")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errorf("Backup manifest is not valid JSON.")
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, errorf("Backup manifest must be an object.")
	}

	if n, ok := obj["schemaVersion"].(json.Number); !ok || n.String() != "1" {
		return nil, errorf("Unsupported backup manifest schemaVersion: %s",
			jsString(obj["schemaVersion"]))
	}
	root, _ := obj["archiveRoot"].(string)
	if strings.TrimSpace(root) == "" {
		return nil, errorf("Backup manifest is missing archiveRoot.")
	}
	created, _ := obj["createdAt"].(string)
	if strings.TrimSpace(created) == "" {
		return nil, errorf("Backup manifest is missing createdAt.")
	}
	rawAssets, ok := obj["assets"].([]any)
	if !ok {
		return nil, errorf("Backup manifest is missing assets.")
	}
	m := &Manifest{SchemaVersion: 1, ArchiveRoot: root, CreatedAt: created}
	for _, a := range rawAssets {
		ao, ok := a.(map[string]any)
		if !ok {
			return nil, errorf("Backup manifest contains a non-object asset.")
		}
		var asset Asset
		for _, f := range []struct {
			key string
			dst *string
		}{
			{"kind", &asset.Kind},
			{"sourcePath", &asset.SourcePath},
			{"archivePath", &asset.ArchivePath},
		} {
			s, _ := ao[f.key].(string)
			if strings.TrimSpace(s) == "" {
				return nil, errorf("Backup manifest asset is missing %s.", f.key)
			}
			*f.dst = s
		}
		m.Assets = append(m.Assets, asset)
	}
	if err := parsePaths(obj["paths"], &m.Paths); err != nil {
		return nil, err
	}

	// The remaining fields are informational: take what decodes.
	m.RuntimeVersion, _ = obj["runtimeVersion"].(string)
	m.Platform, _ = obj["platform"].(string)
	m.NodeVersion, _ = obj["nodeVersion"].(string)
	lenient(obj["options"], &m.Options)
	lenient(obj["skipped"], &m.Skipped)
	if v, ok := obj["externalSymbolicLinks"]; ok {
		m.ExternalSymbolicLinks = []ExternalLink{}
		lenient(v, &m.ExternalSymbolicLinks)
	}
	if v, ok := obj["clawback"]; ok {
		var c Clawback
		if lenient(v, &c) == nil {
			m.Clawback = &c
		}
	}
	return m, nil
}

// HasExternalLinks reports whether data has an externalSymbolicLinks key.
// Archives written before 2026.8 have none, and OpenClaw then requires every
// stored symbolic link to be relative and internal.
func (m *Manifest) HasExternalLinks() bool { return m.ExternalSymbolicLinks != nil }

func parsePaths(v any, p *Paths) error {
	po, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if sd, present := po["stateDir"]; present {
		s, _ := sd.(string)
		if !path.IsAbs(s) || path.Clean(s) != s {
			return errorf("Backup manifest state directory sourcePath must be absolute and normalized.")
		}
		p.StateDir = s
	}
	p.ConfigPath, _ = po["configPath"].(string)
	p.OAuthDir, _ = po["oauthDir"].(string)
	lenient(po["workspaceDirs"], &p.WorkspaceDirs)
	if ar, present := po["agentRoots"]; present {
		list, ok := ar.([]any)
		if !ok {
			return errorf("Backup manifest agentRoots must be an array.")
		}
		for _, item := range list {
			o, ok := item.(map[string]any)
			id, _ := o["agentId"].(string)
			src, _ := o["sourcePath"].(string)
			if !ok || len(o) != 2 || id == "" || src == "" {
				return errorf("Backup manifest agent root must have exactly agentId and sourcePath.")
			}
			p.AgentRoots = append(p.AgentRoots, AgentRoot{AgentID: id, SourcePath: src})
		}
	}
	return nil
}

// lenient decodes v into dst through JSON, leaving dst alone on a type
// mismatch.
func lenient(v any, dst any) error {
	if v == nil {
		return errors.New("absent")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// jsString renders a decoded JSON value the way JavaScript's String() would
// in OpenClaw's message.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "undefined"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	default:
		return "[object Object]"
	}
}
