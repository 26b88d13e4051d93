using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.CodeFixes;

/// <summary>CHN0001/CHN0002: adds <c>partial</c> to the handler class and every containing type that lacks it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialFix)), Shared]
public sealed class AddPartialFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0001", "CHN0002"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Make the type partial", _ => Task.FromResult(context.Document.WithSyntaxRoot(MakePartial(root, type))), nameof(AddPartialFix)),
            context.Diagnostics);
    }

    private static SyntaxNode MakePartial(SyntaxNode root, TypeDeclarationSyntax type)
    {
        var targets = type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
        return root.ReplaceNodes(targets, (original, rewritten) =>
            rewritten.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
    }
}
