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
using Microsoft.CodeAnalysis.Simplification;

namespace Channels.CodeFixes;

/// <summary>CHN0100: adds <c>[JsonSerializable(typeof(T))]</c> to the compilation's existing <c>JsonSerializerContext</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddJsonSerializableFix)), Shared]
public sealed class AddJsonSerializableFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0100"];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not { } node || model is null)
        {
            return;
        }

        var typeSyntax = node as TypeSyntax ?? node.DescendantNodesAndSelf().OfType<TypeSyntax>().FirstOrDefault();
        if (typeSyntax is null || model.GetTypeInfo(typeSyntax, context.CancellationToken).Type is not { } payload)
        {
            return;
        }

        // The analyzer's own lookup: the first context (by full name) the app declares in source.
        var jsonContext = Channels.Analyzers.JsonContexts.Find(model.Compilation).FirstOrDefault(c => c.DeclaringSyntaxReferences.Length > 0);
        if (jsonContext is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Add [JsonSerializable(typeof({payload.Name}))] to {jsonContext.Name}",
                ct => AddAttributeAsync(context.Document.Project.Solution, jsonContext, payload, ct),
                nameof(AddJsonSerializableFix)),
            context.Diagnostics);
    }

    private static async Task<Solution> AddAttributeAsync(Solution solution, INamedTypeSymbol jsonContext, ITypeSymbol payload, CancellationToken cancellationToken)
    {
        var reference = jsonContext.DeclaringSyntaxReferences.First();
        var document = solution.GetDocument(reference.SyntaxTree)!;
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var declaration = (ClassDeclarationSyntax)await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false);
        var typeName = SyntaxFactory.ParseTypeName(payload.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithAdditionalAnnotations(Simplifier.Annotation);
        var attribute = SyntaxFactory.Attribute(
            (NameSyntax)SyntaxFactory.ParseTypeName("global::System.Text.Json.Serialization.JsonSerializable").WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.AttributeArgumentList([SyntaxFactory.AttributeArgument(SyntaxFactory.TypeOfExpression(typeName))]));
        var list = SyntaxFactory.AttributeList([attribute]);
        var first = declaration.AttributeLists.Count > 0 ? declaration.AttributeLists[0].GetLeadingTrivia() : declaration.GetLeadingTrivia();
        var indentation = first.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
        var updated = declaration.WithAttributeLists(declaration.AttributeLists.Add(list.WithLeadingTrivia(indentation).WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)));
        return document.WithSyntaxRoot(root!.ReplaceNode(declaration, updated)).Project.Solution;
    }
}
