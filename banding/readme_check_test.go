package banding_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADME_EmbeddingSnippet: the README's "Embedding the library" Go block is
// readme_test.go's imports, a blank line and Example_embedding's body (one tab less
// indented), so the snippet compiles and its output is checked. Edit the example, then
// paste it into the README.
func TestREADME_EmbeddingSnippet(t *testing.T) {
	src, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "readme_test.go", src, parser.SkipObjectResolution)
	require.NoError(t, err)
	text := func(n ast.Node) string {
		return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
	}
	var imports, body string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				imports = text(d)
			}
		case *ast.FuncDecl:
			if d.Name.Name == "Example_embedding" {
				inner := text(d.Body)
				inner = strings.TrimSuffix(strings.TrimPrefix(inner, "{\n"), "}")
				lines := strings.Split(strings.TrimRight(inner, "\n"), "\n")
				for i, l := range lines {
					lines[i] = strings.TrimPrefix(l, "\t")
				}
				body = strings.Join(lines, "\n")
			}
		}
	}
	require.NotEmpty(t, imports)
	require.NotEmpty(t, body, "readme_test.go has no Example_embedding")

	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)## Embedding the library\n\n```go\n(.*?)\n```").FindSubmatch(readme)
	require.NotNil(t, m, "README.md: no ```go block under \"## Embedding the library\"")
	require.Equal(t, imports+"\n\n"+body, string(m[1]),
		"README.md's embedding snippet differs from banding/readme_test.go's Example_embedding")
}
