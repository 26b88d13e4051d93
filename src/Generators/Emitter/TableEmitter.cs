using System.Collections.Generic;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Patterns;
using Channels.Generators.Text;

namespace Channels.Generators.Emitter;

/// <summary>
/// Emits the assembly's handler table: every handler in run order (classes by full name, then methods in
/// declaration order), one class per distinct pattern holding its compiled matcher, and in an application
/// the module initializer that registers this table and those of referenced libraries.
/// </summary>
internal static class TableEmitter
{
    public static string TableName(AssemblyModel assembly) => "ChannelHandlerTable_" + CSharpText.Identifier(assembly.AssemblyName);

    public static string Emit(TableModel model)
    {
        var name = TableName(model.Assembly);
        var writer = new SourceWriter();
        writer.Line(Names.Header);
        if (model.Classes.Count > 0)
        {
            writer.Line($"[assembly: global::Channels.Dispatch.ChannelHandlerTableAttribute(typeof(global::Channels.Generated.{name}))]");
            writer.Line();
        }

        writer.Open("namespace Channels.Generated");
        if (model.Classes.Count > 0)
        {
            EmitTable(writer, model, name);
        }

        if (model.Assembly.IsApplication)
        {
            if (model.Classes.Count > 0)
            {
                writer.Line();
            }

            EmitRegistration(writer, model, name);
        }

        writer.Close();
        return writer.ToString();
    }

    private static void EmitTable(SourceWriter writer, TableModel model, string name)
    {
        var patternNames = model.Patterns.Select((p, i) => (p.Pattern, Name: "Pattern" + i)).ToDictionary(p => p.Pattern, p => p.Name);
        var typeInfos = model.Classes
            .SelectMany(c => c.Methods)
            .SelectMany(m => m.Parameters)
            .Where(p => p.Binding == BindingKind.PayloadValue)
            .Select(p => p.Type)
            .Distinct()
            .OrderBy(t => t, System.StringComparer.Ordinal)
            .Select((type, i) => (type, Name: "typeInfo" + i))
            .ToDictionary(t => t.type, t => t.Name);
        var ackTypes = model.Classes
            .SelectMany(c => c.Methods)
            .Select(m => m.AckType)
            .OfType<string>()
            .Where(t => !typeInfos.ContainsKey(t))
            .Distinct()
            .OrderBy(t => t, System.StringComparer.Ordinal)
            .ToList();

        writer.Line($"/// <summary>The channel handlers of {model.Assembly.AssemblyName}, in the order they run.</summary>");
        writer.Line(Names.GeneratedCode);
        writer.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        writer.Open($"public sealed class {name} : global::Channels.Dispatch.IChannelHandlerTable");
        writer.Line("/// <summary>Builds the handlers: singleton instances now, type information for payloads and acks now.</summary>");
        writer.Open($"public {name}({Names.ServiceProvider} services)");
        if (typeInfos.Count > 0 || ackTypes.Count > 0)
        {
            writer.Line("var json = global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<global::Microsoft.Extensions.Options.IOptions<global::Channels.ChannelsOptions>>(services).Value.JsonSerializerOptions;");
            foreach (var pair in typeInfos)
            {
                writer.Line($"var {pair.Value} = {Names.Support}.TypeInfo<{pair.Key}>(json);");
            }

            foreach (var ackType in ackTypes)
            {
                writer.Line($"{Names.Support}.CheckAckType<{ackType}>(json);");
            }
        }

        var instances = new Dictionary<string, string>();
        for (var i = 0; i < model.Classes.Count; i++)
        {
            var handlerClass = model.Classes[i];
            if (!handlerClass.Scoped && handlerClass.Methods.Any(m => !m.IsStatic))
            {
                var instance = "handlers" + i;
                instances[handlerClass.FullName] = instance;
                writer.Line($"var {instance} = {handlerClass.FullName}.{Names.CreateMethod}(services);");
            }
        }

        writer.Line();
        writer.Line("Handlers =");
        writer.Line("[").Indent();
        foreach (var handlerClass in model.Classes)
        {
            var invokers = Names.Invokers(handlerClass);
            for (var i = 0; i < handlerClass.Methods.Count; i++)
            {
                var method = handlerClass.Methods[i];
                writer.Line($"// {method.AttributeText} {method.Signature}");
                var matcher = method.Pattern is null ? "null" : patternNames[method.Pattern.Pattern] + "." + MatcherEmitter.MethodName;
                var eventName = method.EventName is null ? "" : $", eventName: {CSharpText.Literal(method.EventName)}";
                var display = CSharpText.Literal(handlerClass.FullName.Replace("global::", "") + "." + method.Name);
                writer.Line($"new({Names.KindName(method.Kind)}, {CSharpText.Literal(handlerClass.SocketNamespace)}, {display}, {Invoke(handlerClass, method, invokers[i], instances, typeInfos)}, {matcher}{eventName}){Initializer(method)},");
            }
        }

        writer.Outdent().Line("];");
        writer.Close();
        writer.Line();
        writer.Line("/// <inheritdoc />");
        writer.Line("public global::System.Collections.Generic.IReadOnlyList<global::Channels.Dispatch.ChannelHandlerDescriptor> Handlers { get; }");
        foreach (var pattern in model.Patterns)
        {
            writer.Line();
            writer.Line($"// {Describe(pattern)}");
            writer.Open($"private static class {patternNames[pattern.Pattern]}");
            writer.Block(pattern.Matcher ?? "");
            writer.Close();
        }

        writer.Close();
    }

    /// <summary>The descriptor's object initializer: the rate limit and the pattern as declared (for traces and metrics), when there are.</summary>
    private static string Initializer(HandlerMethodModel method)
    {
        var members = new List<string>();
        if (method.RateLimit is not null)
        {
            members.Add($"RateLimit = {CSharpText.Literal(method.RateLimit)}");
        }

        if (method.Pattern is not null)
        {
            members.Add($"Pattern = {CSharpText.Literal(method.Pattern.Pattern)}");
        }

        return members.Count == 0 ? "" : " { " + string.Join(", ", members) + " }";
    }

    private static string Invoke(HandlerClassModel handlerClass, HandlerMethodModel method, string invoker, Dictionary<string, string> instances, Dictionary<string, string> typeInfos)
    {
        var extra = string.Concat(method.Parameters.Where(p => p.Binding == BindingKind.PayloadValue).Select(p => ", " + typeInfos[p.Type]));
        var target = $"{handlerClass.FullName}.{invoker}";
        if (method.IsStatic)
        {
            return $"e => {target}(e{extra})";
        }

        if (!handlerClass.Scoped)
        {
            return $"e => {target}({instances[handlerClass.FullName]}, e{extra})";
        }

        return $"e => {Names.Support}.InScope(e, {handlerClass.FullName}.{Names.CreateMethod}, (handler, scopedEvent) => {target}(handler, scopedEvent{extra}))";
    }

    private static void EmitRegistration(SourceWriter writer, TableModel model, string name)
    {
        var tables = new List<string>();
        if (model.Classes.Count > 0)
        {
            tables.Add("global::Channels.Generated." + name);
        }

        tables.AddRange(model.Assembly.ReferencedTables);
        writer.Line("/// <summary>Registers the handler tables of this app and of the libraries it references, before Main runs.</summary>");
        writer.Line(Names.GeneratedCode);
        writer.Open("internal static class ChannelHandlerRegistration");
        writer.Line("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        writer.Open("internal static void Register()");
        foreach (var table in tables)
        {
            writer.Line($"global::Channels.ChannelHandlerTables.Register(typeof({table}), static services => new {table}(services));");
        }

        writer.Close();
        writer.Close();
    }

    private static string Describe(CompiledPattern pattern) => pattern.Strategy switch
    {
        PatternStrategy.Automaton => "Compiled to an automaton.",
        PatternStrategy.Fallback => "Matched by a runtime Regex (" + PatternCompiler.EngineText(pattern.Engine) + "): " + pattern.FallbackReason + ".",
        _ => "Compiled to an ordinal string comparison (" + pattern.Strategy.ToString().ToLowerInvariant() + ").",
    };
}
