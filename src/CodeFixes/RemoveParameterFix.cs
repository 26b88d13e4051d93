using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.CodeFixes;

/// <summary>
/// CHN0017: removes a <c>channel</c> parameter from a handler whose event has no channel; CHN0006: removes a
/// parameter that competes with another for the same value.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveParameterFix)), Shared]
public sealed class RemoveParameterFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0006", "CHN0017"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<ParameterSyntax>() is not { Parent: ParameterListSyntax list } parameter)
        {
            return;
        }

        context.RegisterCodeFix(
            ReplaceNode.Action(
                $"Remove parameter '{parameter.Identifier.ValueText}'",
                nameof(RemoveParameterFix),
                context.Document,
                root,
                list,
                list.WithParameters(list.Parameters.Remove(parameter))),
            context.Diagnostics);
    }
}
