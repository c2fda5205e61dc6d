"""The planning side's writes (HackSoft-style services): booking, planning jobs, publishing,
and the events of the day. Each write to a morning takes its session row lock first."""
