using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Patterns;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.Generators.Parser;

/// <summary>
/// Turns one attributed method into a model, or into the rules it breaks. The one source of truth:
/// the generator calls it and skips invalid handlers; the analyzer calls it and reports.
/// </summary>
internal static class HandlerParser
{
    public const string AttributeNamespace = "Channels.";

    /// <summary>The handler attributes and the event kind each declares, by metadata name.</summary>
    public static readonly ImmutableArray<(string MetadataName, EventKind Kind)> Attributes =
    [
        ("Channels.OnConnectAttribute", EventKind.Connect),
        ("Channels.OnMessageAttribute", EventKind.Message),
        ("Channels.OnSubscribeAttribute", EventKind.Subscribe),
        ("Channels.OnUnsubscribeAttribute", EventKind.Unsubscribe),
        ("Channels.OnErrorAttribute", EventKind.Error),
        ("Channels.OnDisconnectAttribute", EventKind.Disconnect),
        ("Channels.OnFinishAttribute", EventKind.Finish),
        ("Channels.OnEventAttribute", EventKind.Event),
    ];

    /// <summary>Event names the runtime keeps for itself (Socket.IO's and the channel protocol's).</summary>
    public static readonly ImmutableArray<string> ReservedEventNames =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "subscribe", "unsubscribe", "message", "publish"];

    public static HandlerEntry? Parse(IMethodSymbol method, AttributeData attribute, EventKind kind, KnownTypes known, List<HandlerProblem> problems)
    {
        var type = method.ContainingType;
        var start = problems.Count;
        var (lifetimeScoped, socketNamespace) = ReadClassSettings(type, known, problems);
        CheckClass(type, method, problems);

        string? pattern = null;
        string? eventName = null;
        if (kind == EventKind.Event)
        {
            eventName = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            if (string.IsNullOrEmpty(eventName))
            {
                problems.Add(new HandlerProblem(HandlerRule.EmptyEventName, ProblemTarget.AttributeArgument, 0, "An [OnEvent] handler needs a non-empty event name"));
            }
            else if (ReservedEventNames.Contains(eventName!))
            {
                problems.Add(new HandlerProblem(HandlerRule.ReservedEventName, ProblemTarget.AttributeArgument, 0, $"'{eventName}' is a reserved event name"));
            }
        }
        else if (kind != EventKind.Connect)
        {
            pattern = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            if (pattern is not null && PatternCompiler.Compile(pattern) is { Strategy: PatternStrategy.Invalid } invalid)
            {
                problems.Add(new HandlerProblem(HandlerRule.InvalidPattern, ProblemTarget.AttributeArgument, 0, $"Invalid channel pattern: {invalid.Error}", invalid.ErrorOffset));
            }
        }

        if (method.IsGenericMethod)
        {
            problems.Add(new HandlerProblem(HandlerRule.GenericMethod, ProblemTarget.Method, 0, "Handler methods cannot be generic"));
        }

        var returnKind = ReadReturn(method, kind, known, problems);
        var parameters = ReadParameters(method, kind, known, problems);
        var constructor = ReadConstructor(type, method.IsStatic ? null : problems);

        if (problems.Count > start)
        {
            return null;
        }

        var classModel = new HandlerClassModel(
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            new EquatableArray<ContainingTypeModel>(ContainingTypes(type).Select(t => new ContainingTypeModel(Keyword(t), t.Name))),
            Keyword(type),
            type.Name,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.IsStatic,
            lifetimeScoped,
            socketNamespace,
            new EquatableArray<string>(constructor),
            EquatableArray<HandlerMethodModel>.Empty);

        var location = method.Locations.FirstOrDefault();
        var sortKey = $"{location?.SourceTree?.FilePath}:{location?.SourceSpan.Start:D10}";
        var methodModel = new HandlerMethodModel(
            method.Name,
            kind,
            pattern,
            eventName,
            method.IsStatic,
            new EquatableArray<ParameterModel>(parameters),
            returnKind,
            method.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            AttributeText(attribute),
            sortKey);
        return new HandlerEntry(classModel, methodModel);
    }

    private static (bool Scoped, string Namespace) ReadClassSettings(INamedTypeSymbol type, KnownTypes known, List<HandlerProblem> problems)
    {
        var settings = type.GetAttributes().FirstOrDefault(a => known.Is(a.AttributeClass!, known.ChannelHandlersAttribute));
        var scoped = false;
        var socketNamespace = "/";
        if (settings is null)
        {
            return (scoped, socketNamespace);
        }

        foreach (var named in settings.NamedArguments)
        {
            if (named.Key == "Lifetime" && named.Value.Value is int lifetime)
            {
                scoped = lifetime == 1;
            }
            else if (named.Key == "Namespace")
            {
                socketNamespace = named.Value.Value as string ?? "";
                if (!IsValidNamespace(socketNamespace))
                {
                    problems.Add(new HandlerProblem(HandlerRule.InvalidNamespace, ProblemTarget.ClassAttribute, 0, $"'{socketNamespace}' is not a valid Socket.IO namespace: it must start with '/' and contain no ',' or whitespace"));
                }
            }
        }

        return (scoped, socketNamespace);
    }

    public static bool IsValidNamespace(string value) =>
        value.Length > 0 && value.Length <= 256 && value[0] == '/' && !value.Any(c => c == ',' || char.IsWhiteSpace(c));

    private static void CheckClass(INamedTypeSymbol type, IMethodSymbol method, List<HandlerProblem> problems)
    {
        if (!IsPartial(type))
        {
            problems.Add(new HandlerProblem(HandlerRule.ClassNotPartial, ProblemTarget.Class, 0, $"Handler class '{type.Name}' must be partial"));
        }

        var depth = 0;
        foreach (var container in ContainingTypes(type))
        {
            if (!IsPartial(container))
            {
                problems.Add(new HandlerProblem(HandlerRule.ContainingTypeNotPartial, ProblemTarget.ContainingType, depth, $"Type '{container.Name}', which contains handler class '{type.Name}', must be partial"));
            }

            depth++;
        }

        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                problems.Add(new HandlerProblem(HandlerRule.ClassNotAccessible, ProblemTarget.Class, 0, $"Handler class '{type.Name}' and its containing types must be internal or public"));
                break;
            }
        }

        if (type.IsGenericType || ContainingTypes(type).Any(t => t.IsGenericType))
        {
            problems.Add(new HandlerProblem(HandlerRule.GenericClass, ProblemTarget.Class, 0, $"Handler class '{type.Name}' cannot be generic or inside a generic type"));
        }

        if (type.IsAbstract && !type.IsStatic && !method.IsStatic)
        {
            problems.Add(new HandlerProblem(HandlerRule.AbstractClass, ProblemTarget.Method, 0, $"Instance handlers cannot be declared in abstract class '{type.Name}'; make the method static"));
        }
    }

    private static ReturnKind ReadReturn(IMethodSymbol method, EventKind kind, KnownTypes known, List<HandlerProblem> problems)
    {
        var type = method.ReturnType;
        if (method.ReturnsVoid)
        {
            if (method.IsAsync)
            {
                problems.Add(new HandlerProblem(HandlerRule.AsyncVoid, ProblemTarget.ReturnType, 0, "Handler methods cannot be async void; return Task or ValueTask"));
            }

            return ReturnKind.Void;
        }

        if (known.Is(type, known.Task))
        {
            return ReturnKind.Task;
        }

        if (known.Is(type, known.ValueTask))
        {
            return ReturnKind.ValueTask;
        }

        var canReject = kind is EventKind.Connect or EventKind.Subscribe;
        var inner = type is INamedTypeSymbol { IsGenericType: true } named ? named.TypeArguments[0] : null;
        var isTask = known.IsConstructedFrom(type, known.TaskOfT);
        var isValueTask = known.IsConstructedFrom(type, known.ValueTaskOfT);
        if (canReject)
        {
            if (type.SpecialType == SpecialType.System_Boolean)
            {
                return ReturnKind.Bool;
            }

            if ((isTask || isValueTask) && inner!.SpecialType == SpecialType.System_Boolean)
            {
                return isTask ? ReturnKind.TaskBool : ReturnKind.ValueTaskBool;
            }
        }
        else if (kind == EventKind.Event && type.TypeKind != TypeKind.Pointer)
        {
            return isTask ? ReturnKind.TaskValue : isValueTask ? ReturnKind.ValueTaskValue : ReturnKind.Value;
        }

        var allowed = kind switch
        {
            EventKind.Connect or EventKind.Subscribe => "void, Task, ValueTask, bool, Task<bool> or ValueTask<bool>",
            EventKind.Event => "void, Task, ValueTask, a value, Task<T> or ValueTask<T>",
            _ => "void, Task or ValueTask",
        };
        problems.Add(new HandlerProblem(HandlerRule.BadReturnType, ProblemTarget.ReturnType, 0, $"[{AttributeName(kind)}] handlers must return {allowed}"));
        return ReturnKind.Void;
    }

    private static List<ParameterModel> ReadParameters(IMethodSymbol method, EventKind kind, KnownTypes known, List<HandlerProblem> problems)
    {
        var result = new List<ParameterModel>();
        var seen = new HashSet<BindingKind>();
        var argument = 0;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var type = parameter.Type;
            var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                problems.Add(new HandlerProblem(HandlerRule.RefKindParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' cannot be ref, out, in or params"));
                continue;
            }

            if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            {
                problems.Add(new HandlerProblem(HandlerRule.PointerParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' cannot be a pointer"));
                continue;
            }

            BindingKind? binding =
                known.Is(type, known.ChannelSocket) ? BindingKind.Socket
                : known.Is(type, known.HttpContext) ? BindingKind.HttpContext
                : known.IsContextDictionary(type) ? BindingKind.Context
                : known.Is(type, known.CancellationToken) ? BindingKind.CancellationToken
                : type.SpecialType == SpecialType.System_String && parameter.Name == "channel" ? BindingKind.Channel
                : kind == EventKind.Error && known.IsException(type) ? BindingKind.Exception
                : null;

            if (binding == BindingKind.Channel && kind is EventKind.Connect or EventKind.Event)
            {
                problems.Add(new HandlerProblem(HandlerRule.ChannelNotAvailable, ProblemTarget.Parameter, i, $"[{AttributeName(kind)}] events have no channel to bind to '{parameter.Name}'"));
                continue;
            }

            if (binding is null)
            {
                if (kind is not (EventKind.Message or EventKind.Event))
                {
                    problems.Add(new HandlerProblem(HandlerRule.UnbindableParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' of type '{type.ToDisplayString()}' cannot be bound for [{AttributeName(kind)}]"));
                    continue;
                }

                binding = type.SpecialType == SpecialType.System_String ? BindingKind.PayloadString
                    : known.Is(type, known.JsonElement) ? BindingKind.PayloadElement
                    : known.IsBinary(type) ? BindingKind.PayloadBinary
                    : BindingKind.PayloadValue;
                if (type.TypeKind is TypeKind.TypeParameter or TypeKind.Error || (type.IsStatic && binding == BindingKind.PayloadValue))
                {
                    problems.Add(new HandlerProblem(HandlerRule.UnbindableParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' of type '{type.ToDisplayString()}' cannot be bound"));
                    continue;
                }

                if (kind == EventKind.Message && argument > 0)
                {
                    problems.Add(new HandlerProblem(HandlerRule.DuplicateBinding, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' competes with another parameter for the message"));
                    continue;
                }

                result.Add(new ParameterModel(binding.Value, typeName, argument++));
                continue;
            }

            if (!seen.Add(binding.Value))
            {
                problems.Add(new HandlerProblem(HandlerRule.DuplicateBinding, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' binds the same value as another parameter"));
                continue;
            }

            result.Add(new ParameterModel(binding.Value, typeName, -1));
        }

        return result;
    }

    /// <summary>The constructor generated code calls: the accessible one with the most parameters. Problems only for instance handlers.</summary>
    private static string[] ReadConstructor(INamedTypeSymbol type, List<HandlerProblem>? problems)
    {
        var constructor = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal)
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        if (constructor is null || type.IsAbstract || type.IsStatic)
        {
            problems?.Add(new HandlerProblem(HandlerRule.NoUsableConstructor, ProblemTarget.Class, 0, $"Handler class '{type.Name}' needs a public or internal constructor for its instance handlers"));
            return [];
        }

        return [.. constructor.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))];
    }

    /// <summary>The types containing <paramref name="type"/>, outermost first.</summary>
    public static IEnumerable<INamedTypeSymbol> ContainingTypes(INamedTypeSymbol type)
    {
        var stack = new Stack<INamedTypeSymbol>();
        for (var current = type.ContainingType; current is not null; current = current.ContainingType)
        {
            stack.Push(current);
        }

        return stack;
    }

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(m => m.Text == "partial"));

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    public static string AttributeName(EventKind kind) => kind switch
    {
        EventKind.Connect => "OnConnect",
        EventKind.Message => "OnMessage",
        EventKind.Subscribe => "OnSubscribe",
        EventKind.Unsubscribe => "OnUnsubscribe",
        EventKind.Error => "OnError",
        EventKind.Disconnect => "OnDisconnect",
        EventKind.Finish => "OnFinish",
        _ => "OnEvent",
    };

    private static string AttributeText(AttributeData attribute)
    {
        var name = attribute.AttributeClass!.Name;
        name = name.EndsWith("Attribute") ? name.Substring(0, name.Length - "Attribute".Length) : name;
        var args = attribute.ConstructorArguments.Where(a => a.Value is string).Select(a => Emitter.Names.Literal((string)a.Value!));
        var text = string.Join(", ", args);
        return text.Length == 0 ? $"[{name}]" : $"[{name}({text})]";
    }
}
