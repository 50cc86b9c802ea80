package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/edoc/edxml"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// The connector: this server as an agency system of an external axis of
// the same API (the national or a provincial axis, or another
// vanthu-server), for one of its agencies.
//
// Agencies of the external axis that this server does not have are
// added to its directory as remote agencies (Connector.Remote): its users
// address them like any other. Each Poll then
//
//  1. forwards what the local agency sent to a remote agency (the
//     remote agency's inbox here) to the external axis as edXML;
//  2. forwards the statuses the local agency reported on what remote
//     agencies sent it, as edXML status messages;
//  3. takes the external axis's received list: documents from remote
//     agencies become messages here (From the remote agency, to the
//     local one: verified, in the inbox, 01 back), statuses about what
//     was forwarded are relayed as the remote agency's; each is
//     acknowledged done there once committed here.
//
// Every step is idempotent: what was forwarded is marked in the store
// (AxisAck under the connector's system id) after the external axis
// took it, imports are keyed by the external DocId; a connector killed
// between two steps repeats the step, and the far side's idempotency
// (a resend of the same file is the same DocId) and ours make the repeat
// harmless. One replica runs the connector.

// AxisClient calls an axis API as the published SDK does.
type AxisClient struct {
	Endpoint string // https://host:port/axis
	SystemID string
	Secret   string
	From     string // the system's agency
	HTTP     *http.Client
	Now      func() time.Time
}

// AxisEntry is a line of a received list.
type AxisEntry = axisEntry

// Call POSTs call with the parameters (each a XroadVnpt- header, all
// signed) and body; it returns the answer's data. A FAIL answer is an
// error with its description.
func (c *AxisClient) Call(ctx context.Context, call string, params map[string]string, body []byte) (json.RawMessage, string, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	h := [][2]string{{"systemid", c.SystemID}, {"servicetype", "eDoc"}, {"from", c.From}, {"timestamp", FormatAxisTime(now())}}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		h = append(h, [2]string{k, params[k]})
	}
	if body != nil {
		sum := sha256.Sum256(body)
		h = append(h, [2]string{"hash-file", AxisHashFile(sum[:])})
		body = append(body, '\r', '\n')
	}
	var keys []string
	var js bytes.Buffer
	js.WriteByte('{')
	for i, kv := range h {
		if i > 0 {
			js.WriteByte(',')
		}
		k := axisPrefixHdr + kv[0]
		keys = append(keys, k)
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(kv[1])
		js.Write(kb)
		js.WriteByte(':')
		js.Write(vb)
	}
	js.WriteByte('}')
	mac := hmac.New(sha256.New, []byte(c.Secret))
	mac.Write(js.Bytes())
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(c.Endpoint, "/")+"/"+call, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	for _, kv := range h {
		req.Header.Set(axisPrefixHdr+kv[0], kv[1])
	}
	req.Header.Set(axisPrefixHdr+"sign-header-key", strings.Join(keys, ";"))
	req.Header.Set(axisPrefixHdr+"sign-header", js.String())
	req.Header.Set(axisPrefixHdr+"hash-header", hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set(axisPrefixHdr+"version", "3.0.201608")
	req.Header.Set("Content-Type", "application/octet-stream")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("axis %s: %w", call, err)
	}
	defer resp.Body.Close()
	var ans struct {
		Status    string          `json:"status"`
		ErrorCode string          `json:"ErrorCode"`
		ErrorDesc string          `json:"ErrorDesc"`
		DocID     string          `json:"DocId"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return nil, "", fmt.Errorf("axis %s: answer %s is not JSON: %w", call, resp.Status, err)
	}
	if ans.Status != "OK" {
		return nil, "", fmt.Errorf("axis %s: %s %s: %s", call, resp.Status, ans.ErrorCode, ans.ErrorDesc)
	}
	return ans.Data, ans.DocID, nil
}

// Connector links one local agency to an external axis.
type Connector struct {
	Server *Server
	Client *AxisClient
	// Local is the local agency (Client.From).
	Local string
	// Remote are the agencies reached through the external axis; Sync
	// fills it from the external directory.
	Remote map[string]bool
}

// connectorID names the connector's marks in the store.
func (c *Connector) connectorID() string { return "connector:" + c.Local + "@" + c.Client.Endpoint }

// SyncDirectory adds the external axis's agencies this server lacks to
// its directory as remote agencies.
func (c *Connector) SyncDirectory(ctx context.Context) error {
	data, _, err := c.Client.Call(ctx, "getAgenciesList", nil, nil)
	if err != nil {
		return err
	}
	var list []axisAgency
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("axis directory: %w", err)
	}
	if c.Remote == nil {
		c.Remote = map[string]bool{}
	}
	st := c.Server.st
	for _, a := range list {
		if a.Code == c.Local {
			continue
		}
		if _, err := st.Agency(ctx, a.Code); err == nil {
			// Known here: remote only if it has no users here.
			users, err := st.Users(ctx, a.Code)
			if err != nil {
				return err
			}
			c.Remote[a.Code] = len(users) == 0
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := AddAgency(ctx, st, store.Agency{Code: a.Code, Name: a.Name, Email: a.Mail}); err != nil {
			c.Server.log.Warn("connector: agency of the external axis not added", "agency", a.Code, "err", err)
			continue
		}
		c.Remote[a.Code] = true
	}
	return nil
}

// Poll runs the three steps once.
func (c *Connector) Poll(ctx context.Context) error {
	as, ok := c.Server.c.Store.(store.AxisStore)
	if !ok {
		return errors.New("connector: the store keeps no axis records")
	}
	for _, step := range []func(context.Context, store.AxisStore) error{c.forwardDocuments, c.forwardStatuses, c.takeReceived} {
		if err := step(ctx, as); err != nil {
			return err
		}
	}
	return nil
}

// done reports whether id was marked forwarded, and its mark.
func (c *Connector) done(ctx context.Context, as store.AxisStore, id string) (store.AxisAck, bool, error) {
	a, err := as.AxisAck(ctx, c.connectorID(), id)
	if errors.Is(err, store.ErrNotFound) {
		return a, false, nil
	}
	return a, err == nil, err
}

// forwardDocuments sends what the local agency sent to remote agencies.
func (c *Connector) forwardDocuments(ctx context.Context, as store.AxisStore) error {
	s := c.Server
	var ferr error
	err := s.eachBoxMessage(ctx, c.Local, store.Outbox, func(m store.Message) bool {
		remote := false
		for _, r := range m.Recipients {
			remote = remote || c.Remote[r]
		}
		if !remote {
			return true
		}
		if _, ok, err := c.done(ctx, as, m.ID); ok || err != nil {
			ferr = err
			return err == nil
		}
		body, err := c.edxmlOf(ctx, m)
		if err != nil {
			ferr = err
			return false
		}
		_, ext, err := c.Client.Call(ctx, "sendEdoc", map[string]string{"messagetype": "edoc"}, body)
		if err != nil {
			ferr = err
			return false
		}
		ferr = as.SetAxisAck(ctx, c.connectorID(), m.ID, store.AxisAck{Status: "sent:" + ext, At: s.c.Now().UTC()})
		return ferr == nil
	})
	if err == nil {
		err = ferr
	}
	return err
}

// edxmlOf writes m as edXML.
func (c *Connector) edxmlOf(ctx context.Context, m store.Message) ([]byte, error) {
	doc := m.Document
	doc.DocumentID = axisDocumentID(m)
	// The far side is given the recipients it serves: the remote ones
	// (the others were delivered here).
	var to []edoc.Organ
	for _, o := range doc.To {
		if c.Remote[o.OrganID] {
			to = append(to, o)
		}
	}
	doc.To = to
	em := &edxml.Message{Kind: edxml.KindEdoc, Document: &doc}
	for _, a := range doc.Attachments {
		em.Files = append(em.Files, storeFile{s: c.Server.st, ctx: ctx, sha: a.SHA256})
	}
	var b bytes.Buffer
	if err := edxml.Write(&b, em, nil); err != nil {
		return nil, fmt.Errorf("connector: edXML of %s: %w", m.ID, err)
	}
	return b.Bytes(), nil
}

// forwardStatuses sends the local agency's statuses on what remote
// agencies sent it (their outboxes here).
func (c *Connector) forwardStatuses(ctx context.Context, as store.AxisStore) error {
	s := c.Server
	for r, remote := range c.Remote {
		if !remote {
			continue
		}
		var ferr error
		err := s.eachBoxMessage(ctx, r, store.Outbox, func(m store.Message) bool {
			for i, ev := range m.Statuses {
				if ev.OrganID != c.Local || ev.Automatic {
					continue // the far side sends its own 01
				}
				id := axisStatusID(m.ID, i)
				if _, ok, err := c.done(ctx, as, id); ok || err != nil {
					if err != nil {
						ferr = err
						return false
					}
					continue
				}
				ag, _ := s.st.Agency(ctx, c.Local)
				st := &edxml.Status{From: edoc.Organ{OrganID: c.Local, OrganName: ag.Name},
					ResponseFor: edoc.ResponseFor{OrganID: m.From, Code: m.Document.Code.String(), PromulgationDate: m.Document.PromulgationDate, DocumentID: axisDocumentID(m)},
					Staff:       ev.Staff, Code: ev.Status, Description: ev.Description, Timestamp: ev.At}
				var b bytes.Buffer
				if err := edxml.Write(&b, &edxml.Message{Kind: edxml.KindStatus, Status: st}, nil); err != nil {
					ferr = err
					return false
				}
				if _, _, err := c.Client.Call(ctx, "sendEdoc", map[string]string{"messagetype": "status"}, b.Bytes()); err != nil {
					ferr = err
					return false
				}
				if ferr = as.SetAxisAck(ctx, c.connectorID(), id, store.AxisAck{Status: "sent", At: s.c.Now().UTC()}); ferr != nil {
					return false
				}
			}
			return true
		})
		if err == nil {
			err = ferr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// takeReceived imports the external axis's received list.
func (c *Connector) takeReceived(ctx context.Context, as store.AxisStore) error {
	data, _, err := c.Client.Call(ctx, "getReceivedEdocList", nil, nil)
	if err != nil {
		return err
	}
	var list []axisEntry
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("connector: received list: %w", err)
	}
	for _, e := range list {
		if err := c.take(ctx, e); err != nil {
			c.Server.log.Warn("connector: not taken", "doc", e.DocID, "err", err)
			if _, _, aerr := c.Client.Call(ctx, "updateStatus", map[string]string{"docid": e.DocID, "status": "fail"}, nil); aerr != nil {
				return aerr
			}
			continue
		}
		if _, _, err := c.Client.Call(ctx, "updateStatus", map[string]string{"docid": e.DocID, "status": "done"}, nil); err != nil {
			return err
		}
	}
	return nil
}

// take imports one entry: a document from a remote agency, or a status
// a remote agency reported.
func (c *Connector) take(ctx context.Context, e axisEntry) error {
	data, _, err := c.Client.Call(ctx, "getEdoc", map[string]string{"docId": e.DocID}, nil)
	if err != nil {
		return err
	}
	var b64 string
	if err := json.Unmarshal(data, &b64); err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "vanthu-connector-*.edxml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, base64.NewDecoder(base64.StdEncoding, strings.NewReader(b64))); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	msg, err := edxml.Read(tmp, &edxml.Options{MaxFile: c.Server.c.MaxBlob})
	if err != nil {
		return err
	}
	defer msg.Close()
	if err := c.Server.checkXMLSignature(msg); err != nil {
		return err
	}
	from := e.From
	if msg.Kind == edxml.KindEdoc {
		from = msg.Document.From.OrganID
	} else if msg.Status != nil {
		from = msg.Status.From.OrganID
	}
	if !c.Remote[from] {
		return fmt.Errorf("connector: %s is not an agency of the external axis here", from)
	}
	ag, err := c.Server.st.Agency(ctx, from)
	if err != nil {
		return err
	}
	caller := &caller{agency: ag, user: store.User{ID: "connector", Agency: from, Name: "Trục liên thông", Roles: []protocol.Role{protocol.RoleClerk}}}
	key := "connector:" + c.Client.Endpoint + ":" + e.DocID
	if msg.Kind == edxml.KindStatus {
		if c.alreadyHas(ctx, msg.Status) {
			return nil // the 01 this server recorded on delivery to a remote agency
		}
		_, err = c.Server.acceptStatus(ctx, caller, msg.Status, key)
		return err
	}
	_, err = c.Server.acceptEdoc(ctx, caller, msg, key, "connector "+c.Client.Endpoint)
	return err
}

// alreadyHas reports whether the status is the arrival (01) this server
// recorded itself when it accepted the document for the remote agency.
func (c *Connector) alreadyHas(ctx context.Context, st *edxml.Status) bool {
	if st.Code != edoc.StatusArrived {
		return false
	}
	m, err := c.Server.axisFindMessage(ctx, st.From.OrganID, store.Inbox, st.ResponseFor.DocumentID)
	if err != nil {
		return false
	}
	for _, ev := range m.Statuses {
		if ev.OrganID == st.From.OrganID && ev.Status == edoc.StatusArrived {
			return true
		}
	}
	return false
}

// directoryEvery is how often Run reads the external directory again
// (a national directory is large; agencies change seldom).
const directoryEvery = time.Hour

// Run polls every interval until ctx ends, logging failures (a far side
// down is retried at the next poll); the directory is read first and
// then every directoryEvery.
func (c *Connector) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var synced time.Time
	for {
		if synced.IsZero() || time.Since(synced) >= directoryEvery {
			if err := c.SyncDirectory(ctx); err == nil {
				synced = time.Now()
			} else if ctx.Err() == nil {
				c.Server.log.Warn("connector: directory failed", "err", err)
			}
		}
		if !synced.IsZero() {
			if err := c.Poll(ctx); err != nil && ctx.Err() == nil {
				c.Server.log.Warn("connector: poll failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ConnectorConfig is one entry of DIR/axis-connectors.json: a local
// agency's system on an external axis.
type ConnectorConfig struct {
	Endpoint string `json:"endpoint"` // https://host:port/axis
	CA       string `json:"ca,omitempty"`
	Local    string `json:"local"`
	SystemID string `json:"systemid"`
	Secret   string `json:"secret"`
	Interval string `json:"interval,omitempty"` // Go duration, default 30s
}

const connectorsFile = "axis-connectors.json"

// loadConnectors reads DIR/axis-connectors.json (absent: none).
func loadConnectors(dir string) ([]ConnectorConfig, error) {
	b, err := os.ReadFile(filepath.Join(dir, connectorsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cs []ConnectorConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cs); err != nil {
		return nil, fmt.Errorf("%s: %w", connectorsFile, err)
	}
	for i, c := range cs {
		if c.Endpoint == "" || c.Local == "" || c.SystemID == "" || c.Secret == "" {
			return nil, fmt.Errorf("%s: entry %d needs endpoint, local, systemid and secret", connectorsFile, i+1)
		}
		if c.Interval != "" {
			if d, err := time.ParseDuration(c.Interval); err != nil || d < time.Second {
				return nil, fmt.Errorf("%s: entry %d: interval %q: a duration of a second or more", connectorsFile, i+1, c.Interval)
			}
		}
	}
	return cs, nil
}

// startConnectors runs the configured connectors until ctx ends.
func startConnectors(ctx context.Context, srv *Server, cs []ConnectorConfig) error {
	for _, cc := range cs {
		if _, err := srv.st.Agency(ctx, cc.Local); err != nil {
			return fmt.Errorf("connector: local agency %s: %w", cc.Local, err)
		}
		hc := &http.Client{Timeout: 10 * time.Minute}
		if cc.CA != "" {
			pem, err := os.ReadFile(cc.CA)
			if err != nil {
				return fmt.Errorf("connector: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("connector: %s holds no PEM certificate", cc.CA)
			}
			hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		}
		interval := 30 * time.Second
		if cc.Interval != "" {
			interval, _ = time.ParseDuration(cc.Interval)
		}
		c := &Connector{Server: srv, Local: cc.Local, Client: &AxisClient{Endpoint: cc.Endpoint, SystemID: cc.SystemID, Secret: cc.Secret, From: cc.Local, HTTP: hc}}
		srv.log.Info("connector", "local", cc.Local, "endpoint", cc.Endpoint, "every", interval.String())
		go c.Run(ctx, interval)
	}
	return nil
}
