// Command empty does nothing: the start-up floor of any Go program, which
// BenchmarkProcess measures beside netrender.
package main

func main() {}
