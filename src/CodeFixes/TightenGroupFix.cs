using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.CodeFixes;

/// <summary>
/// CHN0105: a named group bound to a type that cannot parse some of its characters is tightened to what the
/// type parses: <c>(?&lt;id&gt;\w+)</c> bound to <c>int</c> becomes <c>(?&lt;id&gt;-?\d+)</c>. The literal keeps its form
/// (verbatim or not).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TightenGroupFix)), Shared]
public sealed class TightenGroupFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0105"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        var node = root?.FindNode(context.Span, getInnermostNodeForTie: true);
        var literal = node?.AncestorsAndSelf().OfType<LiteralExpressionSyntax>().FirstOrDefault();
        if (!diagnostic.Properties.TryGetValue(FixProperties.Fix, out var corrected) || corrected is null
            || root is null
            || literal is null
            || !literal.IsKind(SyntaxKind.StringLiteralExpression))
        {
            return;
        }

        var token = literal.Token.Text.StartsWith("@", System.StringComparison.Ordinal)
            ? SyntaxFactory.Literal("@\"" + corrected.Replace("\"", "\"\"") + "\"", corrected)
            : SyntaxFactory.Literal(corrected);
        var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, token).WithTriviaFrom(literal);
        context.RegisterCodeFix(
            ReplaceNode.Action("Tighten the group to what its parameter parses", nameof(TightenGroupFix), context.Document, root, literal, replacement),
            diagnostic);
    }
}
