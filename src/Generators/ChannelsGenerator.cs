using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Channels.Generators.Contract;
using Channels.Generators.Emitter;
using Channels.Generators.Model;
using Channels.Generators.Parser;
using Channels.Generators.Patterns;
using Microsoft.CodeAnalysis;

namespace Channels.Generators;

/// <summary>
/// Finds handler methods by their attributes, and emits per class the code that binds and calls them,
/// and per assembly a reflection-free handler table with the channel patterns compiled to C#.
/// Invalid handlers are skipped here; the analyzer reports them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ChannelsGenerator : IIncrementalGenerator
{
    /// <summary>The MSBuild property naming the TypeScript contract's file (made visible to the compiler by the package's props).</summary>
    public const string ContractProperty = "ChannelsTypeScriptContract";

    /// <summary>The generated source holding the contract's text, which the package's targets write to the file.</summary>
    public const string ContractHintName = "ChannelsTypeScriptContract.g.cs";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var handlers = HandlerParser.Attributes
            .Select(attribute => context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute.MetadataName,
                    static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                    (ctx, ct) => Parse(ctx, attribute.Kind, ct))
                .Where(static entry => entry is not null)
                .Select(static (entry, _) => entry!)
                .WithTrackingName(StepNames.Handlers)
                .Collect())
            .Aggregate((left, right) => left.Combine(right).Select(static (pair, _) => pair.Left.AddRange(pair.Right)));

        var classes = handlers
            .Select(static (entries, _) => Group(entries))
            .WithTrackingName(StepNames.Classes);

        var assembly = context.CompilationProvider
            .Select(static (compilation, ct) => ReadAssembly(compilation, ct))
            .WithTrackingName(StepNames.Assembly);

        var table = classes
            .Combine(assembly)
            .Select(static (pair, _) => new TableModel(
                pair.Right,
                pair.Left,
                new EquatableArray<CompiledPattern>(pair.Left
                    .SelectMany(c => c.Methods)
                    .Select(m => m.Pattern)
                    .OfType<CompiledPattern>()
                    .GroupBy(p => p.Pattern, System.StringComparer.Ordinal)
                    .Select(g => g.First())
                    .OrderBy(p => p.Pattern, System.StringComparer.Ordinal))))
            .WithTrackingName(StepNames.Table);

        // The TypeScript contract, only when the project asks for it (<ChannelsTypeScriptContract>): it reads the
        // payload types from the compilation, so it runs again after every edit; its output is a string, so an
        // edit that changes no type leaves the generated source as it was.
        var contractPath = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property." + ContractProperty, out var path) && !string.IsNullOrWhiteSpace(path) ? path.Trim() : null)
            .WithTrackingName(StepNames.ContractPath);
        var contract = classes
            .Combine(contractPath)
            .Combine(context.CompilationProvider)
            .Select(static (pair, ct) => pair.Left.Right is null
                ? null
                : ContractBuilder.Build(pair.Left.Left, pair.Right.AssemblyName ?? "App", pair.Right, ct))
            .WithTrackingName(StepNames.Contract);
        context.RegisterSourceOutput(contract, static (output, model) =>
        {
            if (model is null)
            {
                return;
            }

            output.AddSource(ContractHintName, ContractEmitter.Emit(model.Text));
            foreach (var type in model.Unexpressed)
            {
                output.ReportDiagnostic(Diagnostic.Create(ContractEmitter.Unexpressed, Location.None, type));
            }
        });

        context.RegisterSourceOutput(classes.SelectMany(static (all, _) => HintNames.Assign(all)), static (output, file) =>
            output.AddSource(file.HintName, HandlerClassEmitter.Emit(file.Model)));

        context.RegisterSourceOutput(table, static (output, model) =>
        {
            if (model.Classes.Count > 0 || (model.Assembly.IsApplication && model.Assembly.ReferencedTables.Count > 0))
            {
                output.AddSource("ChannelHandlerTable.g.cs", TableEmitter.Emit(model));
            }
        });
    }

    private static HandlerEntry? Parse(GeneratorAttributeSyntaxContext context, EventKind kind, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length == 0)
        {
            return null;
        }

        var known = new KnownTypes(context.SemanticModel.Compilation);
        return HandlerParser.Parse(method, context.Attributes[0], kind, known, []);
    }

    /// <summary>
    /// Gathers each class's handlers; classes ordered by full name (ordinal), methods by declaration order
    /// among the class's handler methods, then (one method, several attributes) by event kind.
    /// </summary>
    private static EquatableArray<HandlerClassModel> Group(ImmutableArray<HandlerEntry> entries) =>
        new(entries
            .GroupBy(e => e.Class with { Methods = EquatableArray<HandlerMethodModel>.Empty })
            .Select(g => g.Key with
            {
                Methods = new EquatableArray<HandlerMethodModel>(g.Select(e => e.Method).OrderBy(m => m.Order).ThenBy(m => m.Kind)),
            })
            .OrderBy(c => c.FullName, System.StringComparer.Ordinal));

    private static AssemblyModel ReadAssembly(Compilation compilation, CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        var isApplication = compilation.Options.OutputKind is not (OutputKind.DynamicallyLinkedLibrary or OutputKind.NetModule);
        if (isApplication)
        {
            foreach (var reference in compilation.References)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol referenced)
                {
                    continue;
                }

                foreach (var attribute in referenced.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() == "Channels.Dispatch.ChannelHandlerTableAttribute"
                        && attribute.ConstructorArguments.Length == 1
                        && attribute.ConstructorArguments[0].Value is INamedTypeSymbol table)
                    {
                        tables.Add(table.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                    }
                }
            }
        }

        tables.Sort(System.StringComparer.Ordinal);
        return new AssemblyModel(compilation.AssemblyName ?? "App", isApplication, new EquatableArray<string>(tables));
    }
}
