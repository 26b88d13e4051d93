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
            CodeAction.Create(
                $"Remove parameter '{parameter.Identifier.ValueText}'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(list, list.WithParameters(list.Parameters.Remove(parameter))))),
                nameof(RemoveParameterFix)),
            context.Diagnostics);
    }
}

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
            CodeAction.Create("Declare the channel string?", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(type, nullable))), nameof(NullableChannelFix)),
            context.Diagnostics);
    }
}

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
            CodeAction.Create($"Use namespace \"{corrected}\"", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(literal, replacement))), nameof(NamespaceSlashFix)),
            diagnostic);
    }
}

/// <summary>
/// CHN0012: the handler class and its private or protected containing types become <c>internal</c>; CHN0020:
/// the payload type generated code cannot name becomes <c>internal</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeInternalFix)), Shared]
public sealed class MakeInternalFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ["CHN0012", "CHN0020"];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || !diagnostic.Properties.TryGetValue(FixProperties.Fix, out var names) || string.IsNullOrEmpty(names))
        {
            return;
        }

        var types = names!.Split(';').Select(model.Compilation.GetTypeByMetadataName).OfType<INamedTypeSymbol>().Where(t => t.DeclaringSyntaxReferences.Length > 0).ToList();
        if (types.Count == 0)
        {
            return;
        }

        var title = types.Count == 1 ? $"Make '{types[0].Name}' internal" : "Make the types internal";
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => MakeInternalAsync(context.Document.Project.Solution, types, ct), nameof(MakeInternalFix)),
            diagnostic);
    }

    private static async Task<Solution> MakeInternalAsync(Solution solution, IReadOnlyList<INamedTypeSymbol> types, CancellationToken cancellationToken)
    {
        var declarations = types
            .SelectMany(type => type.DeclaringSyntaxReferences.Select((reference, i) => (Reference: reference, First: i == 0)))
            .GroupBy(d => d.Reference.SyntaxTree);
        foreach (var group in declarations)
        {
            var document = solution.GetDocument(group.Key);
            var root = await group.Key.GetRootAsync(cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                continue;
            }

            var targets = group.ToDictionary(d => (SyntaxNode)d.Reference.GetSyntax(cancellationToken), d => d.First);
            root = root.ReplaceNodes(targets.Keys, (original, rewritten) => Internal((TypeDeclarationSyntax)rewritten, targets[original]));
            solution = document.WithSyntaxRoot(root).Project.Solution;
        }

        return solution;
    }

    /// <summary>Drops <c>private</c>, <c>protected</c> and <c>file</c>; the first declaration says <c>internal</c> where they stood.</summary>
    private static TypeDeclarationSyntax Internal(TypeDeclarationSyntax declaration, bool first)
    {
        var modifiers = declaration.Modifiers;
        var hidden = modifiers.Where(m => m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword) || m.IsKind(SyntaxKind.FileKeyword)).ToList();
        if (hidden.Count > 0)
        {
            var kept = new List<SyntaxToken>();
            var replaced = false;
            foreach (var modifier in modifiers)
            {
                if (!hidden.Contains(modifier))
                {
                    kept.Add(modifier);
                }
                else if (first && !replaced)
                {
                    kept.Add(SyntaxFactory.Token(modifier.LeadingTrivia, SyntaxKind.InternalKeyword, modifier.TrailingTrivia));
                    replaced = true;
                }
                else if (kept.Count == 0 && modifier.LeadingTrivia.Count > 0)
                {
                    // Keep the line's indentation when the first modifier goes.
                    declaration = declaration.WithLeadingTrivia(modifier.LeadingTrivia);
                }
            }

            return declaration.WithModifiers(SyntaxFactory.TokenList(kept));
        }

        if (!first || modifiers.Any(m => m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PublicKeyword)))
        {
            return declaration;
        }

        // No modifier: a nested type is private by default.
        var keyword = declaration.Keyword;
        var anchor = modifiers.Count > 0 ? modifiers[0] : keyword;
        var token = SyntaxFactory.Token(anchor.LeadingTrivia, SyntaxKind.InternalKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        return modifiers.Count > 0
            ? declaration.WithModifiers(modifiers.Replace(anchor, anchor.WithLeadingTrivia()).Insert(0, token))
            : declaration.WithKeyword(keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(token));
    }
}

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


/// <summary>The diagnostic properties the analyzer passes to the code fixes (see <c>HandlerProblem.Fix</c>).</summary>
internal static class FixProperties
{
    public const string Fix = "Fix";
}
