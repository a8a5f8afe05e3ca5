# Shared by the benchmarks that compare two targets round by round (source it).
# median of the numbers on stdin, one a line ("n/a" for none)
median() { sort -g | awk '{v[NR]=$1} END{ if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
