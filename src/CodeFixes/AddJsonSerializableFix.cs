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

/// <summary>CHN0025, CHN0100, CHN0104: adds <c>[JsonSerializable(typeof(T))]</c> to the compilation's existing <c>JsonSerializerContext</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddJsonSerializableFix)), Shared]
public sealed class AddJsonSerializableFix : CodeFixProvider
{
    /// <summary>The diagnostic property holding the type to declare, fully qualified (the analyzer's <c>JsonTypeKey</c>).</summary>
    private const string JsonTypeKey = "JsonType";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0025", "CHN0100", "CHN0104"];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        // The analyzer names the type: the one a call site sends is not always the one its syntax shows.
        if (context.Diagnostics.FirstOrDefault()?.Properties.GetValueOrDefault(JsonTypeKey) is not { } type)
        {
            return;
        }

        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);

        // The analyzer's own lookup: the first context (by full name) the app declares in source.
        var jsonContext = model is null ? null : Channels.Analyzers.JsonContexts.Find(model.Compilation).FirstOrDefault(c => c.DeclaringSyntaxReferences.Length > 0);
        if (jsonContext is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Add [JsonSerializable(typeof({type.Replace("global::", "")}))] to {jsonContext.Name}",
                ct => AddAttributeAsync(context.Document.Project.Solution, jsonContext, type, ct),
                nameof(AddJsonSerializableFix)),
            context.Diagnostics);
    }

    private static async Task<Solution> AddAttributeAsync(Solution solution, INamedTypeSymbol jsonContext, string type, CancellationToken cancellationToken)
    {
        var reference = jsonContext.DeclaringSyntaxReferences.First();
        var document = solution.GetDocument(reference.SyntaxTree)!;
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var declaration = (ClassDeclarationSyntax)await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false);
        var typeName = SyntaxFactory.ParseTypeName(type).WithAdditionalAnnotations(Simplifier.Annotation);
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
