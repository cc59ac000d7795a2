"""The job domain shared by every batchscore function: light, no pandas."""
