// jieba's allocator (mimalloc) keeps the memory it frees and hands it back to the system only
// after a delay, counted in its later work: the whole dictionary, let go after a build, would
// stay resident (40 MB) in a bot that answers little. At 0 it is handed back at once. Without
// transparent huge pages its pages are only as resident as they are used: 5–9 MB less. Measured,
// neither costs question times anything (README, "Memory"). The allocator reads its settings when
// the segmenter's library loads, from the process's environment: this runs in the thread that
// starts the process (a worker thread's process.env is a copy the library never sees), before the
// library is imported. An operator's own settings win.
process.env.MIMALLOC_PURGE_DELAY ??= '0';
process.env.MIMALLOC_ALLOW_THP ??= '0';
