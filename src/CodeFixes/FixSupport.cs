using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Channels.CodeFixes;

/// <summary>The diagnostic properties the analyzer passes to the code fixes (see <c>HandlerProblem.Fix</c>).</summary>
internal static class FixProperties
{
    public const string Fix = "Fix";
}

/// <summary>The code action most fixes make: the document with one node replaced.</summary>
internal static class ReplaceNode
{
    public static CodeAction Action(string title, string key, Document document, SyntaxNode root, SyntaxNode node, SyntaxNode replacement) =>
        CodeAction.Create(title, _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(node, replacement))), key);
}
