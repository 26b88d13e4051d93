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
            CodeAction.Create("Return Task", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(method.ReturnType, TaskType(method.ReturnType)))), nameof(ReturnTaskFix)),
            context.Diagnostics);
    }

    private static TypeSyntax TaskType(TypeSyntax old) =>
        SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.Task")
            .WithLeadingTrivia(old.GetLeadingTrivia())
            .WithTrailingTrivia(old.GetTrailingTrivia())
            .WithAdditionalAnnotations(Simplifier.Annotation);
}

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
            CodeAction.Create($"Remove '{modifier.Text}'", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(parameter, fixedParameter))), nameof(RemoveParameterModifierFix)),
            context.Diagnostics);
    }
}

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

        var jsonContext = FindContext(model.Compilation, context.CancellationToken);
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

    private static INamedTypeSymbol? FindContext(Compilation compilation, CancellationToken cancellationToken)
    {
        var baseType = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializerContext");
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot(cancellationToken).DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(declaration, cancellationToken) is { } symbol
                    && SymbolEqualityComparer.Default.Equals(symbol.BaseType, baseType))
                {
                    return symbol;
                }
            }
        }

        return null;
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
