using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Text;

namespace Channels.Generators.Emitter;

/// <summary>
/// Emits the partial part of one handler class: how to build an instance from DI, and one invoker per
/// handler that binds the event's values to the parameters and calls the method directly (private
/// methods included).
/// </summary>
internal static class HandlerClassEmitter
{
    public static string Emit(HandlerClassModel model)
    {
        var writer = new SourceWriter();
        writer.Line(Names.Header.TrimEnd('\n'));
        writer.Line("#pragma warning disable CS0108 // a derived handler class's members hide its base's on purpose: the table names each class's own");
        writer.Line();
        if (model.Namespace.Length > 0)
        {
            writer.Open("namespace " + model.Namespace);
        }

        foreach (var container in model.ContainingTypes)
        {
            writer.Open($"partial {container.Keyword} {container.Name}");
        }

        writer.Open($"{(model.IsStatic ? "static " : "")}partial {model.Keyword} {model.Name}");
        var first = true;
        if (model.Methods.Any(m => !m.IsStatic))
        {
            EmitCreate(writer, model);
            first = false;
        }

        var invokers = Names.Invokers(model);
        for (var i = 0; i < model.Methods.Count; i++)
        {
            if (!first)
            {
                writer.Line();
            }

            EmitInvoker(writer, model, model.Methods[i], invokers[i]);
            first = false;
        }

        writer.Close();
        foreach (var _ in model.ContainingTypes)
        {
            writer.Close();
        }

        if (model.Namespace.Length > 0)
        {
            writer.Close();
        }

        return writer.ToString();
    }

    private static void EmitCreate(SourceWriter writer, HandlerClassModel model)
    {
        writer.Line($"/// <summary>Builds a {model.Name} with its constructor arguments from DI.</summary>");
        writer.Line(Names.GeneratedCode);
        if (model.ConstructorParameters.Count == 0)
        {
            writer.Line($"internal static {model.FullName} {Names.CreateMethod}({Names.ServiceProvider} services) => new {model.FullName}();");
            return;
        }

        writer.Line($"internal static {model.FullName} {Names.CreateMethod}({Names.ServiceProvider} services) =>");
        writer.Indent().Line($"new {model.FullName}(").Indent();
        for (var i = 0; i < model.ConstructorParameters.Count; i++)
        {
            var separator = i == model.ConstructorParameters.Count - 1 ? ");" : ",";
            writer.Line($"global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<{model.ConstructorParameters[i]}>(services){separator}");
        }

        writer.Outdent().Outdent();
    }

    private static void EmitInvoker(SourceWriter writer, HandlerClassModel model, HandlerMethodModel method, string invoker)
    {
        var parameters = method.IsStatic ? "" : $"{model.FullName} handler, ";
        parameters += $"{Names.Event} e";
        foreach (var value in method.Parameters.Where(p => p.Binding == BindingKind.PayloadValue))
        {
            parameters += $", {Names.TypeInfo(value.Type)} t{value.ArgumentIndex}";
        }

        writer.Line($"/// <summary>Calls <c>{Escape(method.Signature)}</c> for {Escape(method.AttributeText)}.</summary>");
        writer.Line(Names.GeneratedCode);
        writer.Open($"internal static {Names.Result} {invoker}({parameters})");
        var guarded = false;
        if (method.Parameters.FirstOrDefault(p => p.Binding == BindingKind.Exception) is { } exception)
        {
            // Error events always carry an exception; a handler for a subtype runs only for that subtype.
            writer.Open($"if (e.Exception is not {exception.Type} exception)");
            writer.Line($"return {Names.Support}.Done();");
            writer.Close();
            guarded = true;
        }

        var captures = method.Parameters.Any(p => p.Binding == BindingKind.Capture) ? method.Pattern : null;
        if (captures is not null || method.Parameters.Any(p => p.Binding == BindingKind.Channel && !p.AcceptsNull))
        {
            // The analyzer allows a non-nullable channel only for events that always have one.
            if (guarded)
            {
                writer.Line();
            }

            writer.Line($"string channel = e.Channel ?? throw new global::System.InvalidOperationException({CSharpText.Literal($"[{method.Kind.AttributeName()}] event without a channel")});");
            guarded = true;
        }

        if (captures is not null)
        {
            // The groups are read and converted before the handler runs: a channel that does not convert is a
            // protocol error for [OnError], and the handler does not run.
            var outs = string.Concat(captures.Groups.Select((g, n) => method.Parameters.Any(p => p.Group == g.Name) ? $", out var captured{n}" : ", out _"));
            writer.Line($"if (!{CapturesClass(invoker)}.{Patterns.CaptureEmitter.MethodName}(channel{outs}))");
            writer.Line("{");
            writer.Line($"    throw {Names.Support}.CaptureMismatch(e, {CSharpText.Literal(captures.Pattern)});");
            writer.Line("}");
        }

        if (guarded)
        {
            writer.Line();
        }

        var arguments = string.Join(", ", method.Parameters.Select(p => p.Binding == BindingKind.Capture ? CaptureArgument(p, captures!) : Argument(p)));
        var call = $"{(method.IsStatic ? model.FullName : "handler")}.{method.Name}({arguments})";
        writer.Line(method.Return switch
        {
            ReturnKind.Void => call + ";",
            _ => $"return {Names.Support}.{Wrapper(method.Return)}({call});",
        });
        if (method.Return == ReturnKind.Void)
        {
            writer.Line($"return {Names.Support}.Done();");
        }

        writer.Close();
        if (captures is not null)
        {
            writer.Line();
            writer.Line($"/// <summary>Reads the named groups of <c>{Escape(captures.Pattern)}</c> from a channel it matches.</summary>");
            writer.Line(Names.GeneratedCode);
            writer.Open($"private static class {CapturesClass(invoker)}");
            writer.Block(captures.Extractor ?? "");
            writer.Close();
        }
    }

    private static string CapturesClass(string invoker) => invoker + "_Captures";

    private static string CaptureArgument(ParameterModel parameter, Patterns.CompiledPattern pattern)
    {
        var index = pattern.Groups.Select((g, n) => (g, n)).First(p => p.g.Name == parameter.Group).n;
        var group = CSharpText.Literal(parameter.Group!);
        return parameter.Conversion switch
        {
            CaptureConversion.Text => "captured" + index,
            CaptureConversion.Enum => $"{Names.Support}.CaptureEnum<{parameter.Type}>(captured{index}, e, {group})",
            _ => $"{Names.Support}.Capture<{parameter.Type}>(captured{index}, e, {group})",
        };
    }

    private static string Argument(ParameterModel parameter) => parameter.Binding switch
    {
        BindingKind.Socket => "e.Socket",
        BindingKind.HttpContext => "e.Socket.HttpContext",
        BindingKind.Context => "e.Socket.Context",
        BindingKind.Channel => parameter.AcceptsNull ? "e.Channel" : "channel",
        BindingKind.CancellationToken => "e.CancellationToken",
        BindingKind.Exception => "exception",
        BindingKind.PayloadString when parameter.AcceptsNull => $"{Names.Support}.String(e.Payload, {parameter.ArgumentIndex})",
        BindingKind.PayloadString =>
            $"{Names.Support}.String(e.Payload, {parameter.ArgumentIndex}) ?? throw {Names.Support}.NullArgument({parameter.ArgumentIndex})",
        BindingKind.PayloadElement => $"{Names.Support}.Element(e.Payload, {parameter.ArgumentIndex})",
        BindingKind.PayloadBinary => $"{Names.Support}.Binary(e.Payload, {parameter.ArgumentIndex})",
        _ when parameter.AcceptsNull => $"{Names.Support}.Value(e.Payload, {parameter.ArgumentIndex}, t{parameter.ArgumentIndex})",
        _ => $"{Names.Support}.Value(e.Payload, {parameter.ArgumentIndex}, t{parameter.ArgumentIndex}) ?? throw {Names.Support}.NullArgument({parameter.ArgumentIndex})",
    };

    private static string Wrapper(ReturnKind kind) => kind switch
    {
        ReturnKind.Task or ReturnKind.ValueTask => "Done",
        ReturnKind.Bool or ReturnKind.TaskBool or ReturnKind.ValueTaskBool => "Accept",
        _ => "Ack",
    };

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
