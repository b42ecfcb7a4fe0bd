namespace CompositeGateway.Content;

/// <summary>Receives an add's answer line by line as it becomes known; the surface writes and flushes each one.</summary>
internal delegate ValueTask AddEmitter(AddedEntry entry, CancellationToken cancellationToken);
