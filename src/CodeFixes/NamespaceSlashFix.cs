using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.CodeFixes;

/// <summary>CHN0016: <c>Namespace = "admin"</c> becomes <c>Namespace = "/admin"</c> when that is all that is wrong.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NamespaceSlashFix)), Shared]
public sealed class NamespaceSlashFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0016"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(FixProperties.Fix, out var corrected) || corrected is null
            || root?.FindNode(context.Span, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal
            || !literal.IsKind(SyntaxKind.StringLiteralExpression))
        {
            return;
        }

        var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(corrected)).WithTriviaFrom(literal);
        context.RegisterCodeFix(
            ReplaceNode.Action($"Use namespace \"{corrected}\"", nameof(NamespaceSlashFix), context.Document, root, literal, replacement),
            diagnostic);
    }
}
