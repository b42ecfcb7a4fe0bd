using System.Diagnostics.CodeAnalysis;

namespace CompositeGateway.Clusters;

/// <summary>
/// The outcome of one undercluster call: a value or a <see cref="ClusterFailure"/> (docs/development/style.md §6).
/// Upstream failures never surface as exceptions from <see cref="ClusterClient"/>.
/// </summary>
internal readonly struct ClusterResult<T>
{
    private readonly T? _value;

    private ClusterResult(T? value, ClusterFailure? failure)
    {
        _value = value;
        Failure = failure;
    }

    /// <summary>Null on success.</summary>
    public ClusterFailure? Failure { get; }

    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsSuccess => Failure is null;

    /// <summary>The value; throws when the call failed (check <see cref="IsSuccess"/> or use <see cref="TryGetValue"/>).</summary>
    public T Value => Failure is null ? _value! : throw new InvalidOperationException("undercluster call failed: " + Failure);

    public static implicit operator ClusterResult<T>(T value) => new(value, null);

    /// <summary>Success; also for a null value where <typeparamref name="T"/> allows it (e.g. "not in the pinset").</summary>
    public static ClusterResult<T> Success(T value) => new(value, null);

    public static implicit operator ClusterResult<T>(ClusterFailure failure) => new(default, failure ?? throw new ArgumentNullException(nameof(failure)));

    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out ClusterFailure? failure)
    {
        value = _value;
        failure = Failure;
        return Failure is null;
    }

    public override string ToString() => Failure is null ? $"ok: {_value}" : $"failed: {Failure}";
}

/// <summary>The value of a call whose success carries no body (<c>GET /health</c> → 204).</summary>
internal readonly record struct NoContent;

/// <summary>How a stream ended when it ended cleanly.</summary>
/// <param name="Items">Items delivered to the consumer.</param>
internal readonly record struct StreamCompleted(long Items);
