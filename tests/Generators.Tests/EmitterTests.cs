using Channels.Generators.Emitter;
using Channels.Generators.Model;
using Channels.Generators.Patterns;

namespace Channels.Generators.Tests;

/// <summary>The emitters on their own, from models built by hand: no Roslyn, no parser.</summary>
public sealed class EmitterTests
{
    private static readonly CompiledPattern Lobby = new(
        "^lobby$",
        PatternStrategy.Exact,
        Error: null,
        ErrorOffset: -1,
        FallbackReason: null,
        Engine: FallbackEngine.None,
        NeverMatches: false,
        Matcher: "// Pattern: ^lobby$\ninternal static bool IsMatch(string s) => s == \"lobby\";\n");

    private static HandlerMethodModel Method(string name, EventKind kind, ReturnKind returns, int order, CompiledPattern? pattern = null, bool isStatic = false, string? eventName = null, params ParameterModel[] parameters) =>
        new(name, kind, pattern, eventName, null, isStatic, new EquatableArray<ParameterModel>(parameters), returns, $"{returns} {name}(…)", Attribute(kind, pattern?.Pattern ?? eventName), order);

    private static string Attribute(EventKind kind, string? argument) =>
        argument is null ? $"[{kind.AttributeName()}]" : $"[{kind.AttributeName()}(\"{argument}\")]";

    private static HandlerClassModel Class(string name, bool scoped, bool isStatic, string[] constructor, params HandlerMethodModel[] methods) =>
        new("App", EquatableArray<ContainingTypeModel>.Empty, "class", name, "global::App." + name, isStatic, scoped, "/", new EquatableArray<string>(constructor), new EquatableArray<HandlerMethodModel>(methods));

    [Fact]
    public void Handler_class_binds_nullable_and_non_nullable_values_without_the_null_forgiving_operator()
    {
        var model = Class(
            "Handlers",
            scoped: false,
            isStatic: false,
            ["global::App.Journal"],
            Method("Said", EventKind.Message, ReturnKind.Void, 0, parameters: [new(BindingKind.PayloadString, "string", 0), new(BindingKind.Channel, "string", -1, AcceptsNull: true)]),
            Method("Joined", EventKind.Subscribe, ReturnKind.ValueTaskBool, 1, Lobby, parameters: [new(BindingKind.Channel, "string", -1)]),
            Method("Maybe", EventKind.Event, ReturnKind.Value, 2, eventName: "maybe", isStatic: true, parameters: [new(BindingKind.PayloadString, "string", 0, AcceptsNull: true)]),
            Method("TimedOut", EventKind.Error, ReturnKind.Task, 3, Lobby, parameters: [new(BindingKind.Exception, "global::System.TimeoutException", -1), new(BindingKind.Channel, "string", -1)]));

        var text = HandlerClassEmitter.Emit(model);

        Assert.DoesNotContain("!", text.Replace("!=", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Baseline.Verify("Emitter.Handlers", text);
    }

    [Fact]
    public void Table_of_a_library_lists_handlers_in_model_order_with_one_class_per_pattern_and_no_registration()
    {
        var scoped = Class(
            "Scoped",
            scoped: true,
            isStatic: false,
            [],
            Method("Second", EventKind.Message, ReturnKind.Void, 0, Lobby, parameters: [new(BindingKind.PayloadValue, "global::App.Line", 0)]),
            Method("First", EventKind.Message, ReturnKind.Void, 1, Lobby));
        var statics = Class("Static", scoped: false, isStatic: true, [], Method("Ping", EventKind.Event, ReturnKind.Value, 0, isStatic: true, eventName: "ping"));
        var model = new TableModel(
            new AssemblyModel("My.Library", IsApplication: false, EquatableArray<string>.Empty),
            new EquatableArray<HandlerClassModel>([scoped, statics]),
            new EquatableArray<CompiledPattern>([Lobby]));

        var text = TableEmitter.Emit(model);

        Assert.DoesNotContain("ModuleInitializer", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("App.Scoped.Second", StringComparison.Ordinal) < text.IndexOf("App.Scoped.First", StringComparison.Ordinal), "model order is run order");
        Baseline.Verify("Emitter.LibraryTable", text);
    }

    [Fact]
    public void Application_table_with_no_handlers_of_its_own_registers_the_referenced_tables()
    {
        var model = new TableModel(
            new AssemblyModel("App", IsApplication: true, new EquatableArray<string>(["global::Channels.Generated.ChannelHandlerTable_Lib"])),
            EquatableArray<HandlerClassModel>.Empty,
            EquatableArray<CompiledPattern>.Empty);

        var text = TableEmitter.Emit(model);

        Assert.DoesNotContain("ChannelHandlerTableAttribute", text, StringComparison.Ordinal);
        Assert.Contains("global::Channels.ChannelHandlerTables.Register(typeof(global::Channels.Generated.ChannelHandlerTable_Lib), static services => new global::Channels.Generated.ChannelHandlerTable_Lib(services));", text, StringComparison.Ordinal);
    }
}
