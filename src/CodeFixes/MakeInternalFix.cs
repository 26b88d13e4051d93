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

namespace Channels.CodeFixes;

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
