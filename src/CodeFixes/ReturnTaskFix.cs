using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Channels.CodeFixes;

/// <summary>CHN0004: <c>async void</c> becomes <c>async Task</c>; CHN0003 on an async method with no returned value: <c>Task</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReturnTaskFix)), Shared]
public sealed class ReturnTaskFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0003", "CHN0004"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
            || !method.Modifiers.Any(SyntaxKind.AsyncKeyword)
            || method.DescendantNodes().OfType<ReturnStatementSyntax>().Any(r => r.Expression is not null)
            || method.ExpressionBody is not null && method.ReturnType is not PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword })
        {
            return;
        }

        context.RegisterCodeFix(
            ReplaceNode.Action("Return Task", nameof(ReturnTaskFix), context.Document, root, method.ReturnType, TaskType(method.ReturnType)),
            context.Diagnostics);
    }

    private static TypeSyntax TaskType(TypeSyntax old) =>
        SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.Task")
            .WithLeadingTrivia(old.GetLeadingTrivia())
            .WithTrailingTrivia(old.GetTrailingTrivia())
            .WithAdditionalAnnotations(Simplifier.Annotation);
}
