using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.CodeFixes;

/// <summary>CHN0019: <c>string channel</c> becomes <c>string? channel</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NullableChannelFix)), Shared]
public sealed class NullableChannelFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0019"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<ParameterSyntax>() is not { Type: { } type and not NullableTypeSyntax })
        {
            return;
        }

        var nullable = SyntaxFactory.NullableType(type.WithoutTrivia()).WithTriviaFrom(type);
        context.RegisterCodeFix(
            ReplaceNode.Action("Declare the channel string?", nameof(NullableChannelFix), context.Document, root, type, nullable),
            context.Diagnostics);
    }
}
