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

/// <summary>CHN0007: removes a <c>ref</c>, <c>out</c>, <c>in</c> or <c>params</c> modifier from a handler parameter.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveParameterModifierFix)), Shared]
public sealed class RemoveParameterModifierFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0007"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<ParameterSyntax>() is not { } parameter)
        {
            return;
        }

        var modifier = parameter.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.RefKeyword) || m.IsKind(SyntaxKind.OutKeyword) || m.IsKind(SyntaxKind.InKeyword) || m.IsKind(SyntaxKind.ParamsKeyword));
        if (modifier == default)
        {
            return;
        }

        var fixedParameter = parameter.WithModifiers(parameter.Modifiers.Remove(modifier)).WithLeadingTrivia(parameter.GetLeadingTrivia());
        context.RegisterCodeFix(
            ReplaceNode.Action($"Remove '{modifier.Text}'", nameof(RemoveParameterModifierFix), context.Document, root, parameter, fixedParameter),
            context.Diagnostics);
    }
}
