package admin_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
)

// mustRosterXLSX writes a roster of n data rows (the header first) with
// excelize's stream writer; the cell at lastRow, when set, is written far
// below the rest.
func mustRosterXLSX(t *testing.T, n, lastRow int) []byte {
	t.Helper()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	row := func(r int, cells ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	header := make([]any, len(admin.RosterHeaders))
	for i, h := range admin.RosterHeaders {
		header[i] = h
	}
	row(1, header...)
	for i := range n {
		code := apptest.CreditCode(t, "320583", fmt.Sprintf("MA%07d", i))
		row(i+2, fmt.Sprintf("苏州测试%d有限公司", i), code, "Ⅲ类", "守合同重信用", "昆山市", "2026-01-15")
	}
	if lastRow > 0 {
		row(lastRow, "苏州末行有限公司", apptest.CreditCode(t, "320583", "MB0000001"), "Ⅲ类", "", "昆山市", "2026-01-15")
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPadding adds to an xlsx a part that inflates to size bytes of zeros.
func withPadding(t *testing.T, xlsx []byte, size int64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("xl/media/image1.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, zeros{}, size); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func mustRefuse(t *testing.T, e *apptest.Env, name string, data []byte, reason string) {
	t.Helper()
	_, err := e.Admin.ImportRoster(context.Background(), mustOfficer(t, e), name, data, true)
	if msg := domain.Message(err); !strings.Contains(msg, reason) {
		t.Errorf("%s (%d bytes): %v, want %q", name, len(data), err, reason)
	}
}

// A small xlsx that inflates far beyond any roster is refused from its
// headers, dry run or not, with the reason.
func TestRosterZipBombIsRefused(t *testing.T) {
	e := apptest.New(t)
	bomb := withPadding(t, mustRosterXLSX(t, 1, 0), admin.MaxRosterUnzip+1<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	mustRefuse(t, e, "roster.xlsx", bomb, "解压后超过64MB")
	// Padding within the limit is no reason to refuse.
	ok := withPadding(t, mustRosterXLSX(t, 1, 0), 1<<20)
	res, err := e.Admin.ImportRoster(context.Background(), mustOfficer(t, e), "roster.xlsx", ok, true)
	if err != nil || res.Inserted != 1 {
		t.Errorf("a padded roster: %+v %v", res, err)
	}
}

// Both file types refuse more than MaxRosterRows rows with the reason; the
// limit itself is accepted.
func TestRosterRowCap(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20 000-row files")
	}
	e := apptest.New(t)
	reason := fmt.Sprintf("一次最多导入%d行", admin.MaxRosterRows)
	mustRefuse(t, e, "roster.xlsx", mustRosterXLSX(t, admin.MaxRosterRows+1, 0), reason)
	// One row far below the rest counts where it stands.
	mustRefuse(t, e, "roster.xlsx", mustRosterXLSX(t, 1, 1_000_000), reason)

	var csv strings.Builder
	csv.WriteString(strings.Join(admin.RosterHeaders, ",") + "\n")
	for i := range admin.MaxRosterRows {
		fmt.Fprintf(&csv, "苏州测试%d有限公司,%s,Ⅲ类,,昆山市,2026-01-15\n", i, apptest.CreditCode(t, "320583", fmt.Sprintf("MA%07d", i)))
	}
	res, err := e.Admin.ImportRoster(context.Background(), mustOfficer(t, e), "roster.csv", []byte(csv.String()), true)
	if err != nil || res.Inserted != admin.MaxRosterRows {
		t.Fatalf("a roster at the limit: inserted %d, %v", res.Inserted, err)
	}
	csv.WriteString("甲,乙,丙,丁,戊,己\n")
	mustRefuse(t, e, "roster.csv", []byte(csv.String()), reason)
}
