// Waits on slot 4 forever.
import { wait } from "../../services/lib";
while (true) wait(4);
