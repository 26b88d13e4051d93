using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Channels.CodeFixes;

/// <summary>
/// CHN0103: declares the channels with an <c>[OnSubscribe]</c> handler of the same pattern in the same class,
/// which accepts every subscription (<c>return true</c>) until the app decides who may subscribe.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddSubscribeHandlerFix)), Shared]
public sealed class AddSubscribeHandlerFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0103"];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not { } node
            || node.FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { } argument
            || argument.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
            || method.Parent is not TypeDeclarationSyntax type)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                "Add an [OnSubscribe] handler for this pattern",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(type, AddHandler(type, method, argument.Expression)))),
                nameof(AddSubscribeHandlerFix)),
            context.Diagnostics);
    }

    private static TypeDeclarationSyntax AddHandler(TypeDeclarationSyntax type, MethodDeclarationSyntax after, ExpressionSyntax pattern)
    {
        var names = new HashSet<string>(type.Members.OfType<MethodDeclarationSyntax>().Select(m => m.Identifier.ValueText), System.StringComparer.Ordinal);
        var name = "AllowSubscribe";
        for (var i = 2; names.Contains(name); i++)
        {
            name = "AllowSubscribe" + i;
        }

        // Static, so that it suits any handler class (static, scoped or singleton) and needs no instance.
        var handler = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(
            $"[global::Channels.OnSubscribe({pattern.WithoutTrivia().ToFullString()})]\npublic static bool {name}() => true;\n")!;
        var attribute = handler.AttributeLists[0].Attributes[0];
        handler = handler.ReplaceNode(attribute.Name, attribute.Name.WithAdditionalAnnotations(Simplifier.Annotation))
            .WithLeadingTrivia(after.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)))
            .WithAdditionalAnnotations(Formatter.Annotation);
        return type.InsertNodesAfter(after, [handler]);
    }
}
